-- Whether table ?1 is a WITHOUT ROWID table.
SELECT wr FROM pragma_table_list(?1) WHERE schema = 'main';
