-- Key columns of index ?1, in order; name is NULL for expression terms.
SELECT name FROM pragma_index_info(?1) ORDER BY seqno;
