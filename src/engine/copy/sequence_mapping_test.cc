#include "engine/copy/sequence_mapping.h"

#include <gtest/gtest.h>

namespace peerlock {
namespace {

// An inventory of one table `source_table` landing as `target_table`, its column `id` as
// `target_id`.
Inventory OneTable(const std::string& schema, const std::string& source_table,
                   const std::string& target_table, const std::string& target_id) {
  TableInventory t;
  t.table.schema = schema;
  t.table.name = source_table;
  t.mapping.target_table = target_table;
  t.mapping.columns.push_back(ColumnMapping{.source_name = "id", .target_name = target_id});
  t.mapping.columns.push_back(ColumnMapping{.source_name = "v", .target_name = "v"});
  Inventory inv;
  inv.tables.push_back(t);
  return inv;
}

TEST(SequencesForTarget, AddressesEachCounterByTheTargetNamesOfTheColumnItFeeds) {
  Inventory inv = OneTable("", "t", "items", "item_id");
  std::vector<SequenceValue> source = {
      {.name = "t", .owner = "t.id", .last_value = 999, .called = true},
      {.name = "other", .owner = "other.id", .last_value = 5},  // a table out of scope
      {.name = "t_v", .owner = "t.gone", .last_value = 7},      // a column the plan dropped
      {.name = "free", .owner = "", .last_value = 3}};          // feeds no column
  auto across = SequencesForTarget(inv, source, /*same_dialect=*/false, /*keep_unowned=*/true);
  ASSERT_EQ(across.size(), 1u);
  EXPECT_EQ(across[0].owner, "items.item_id");
  EXPECT_EQ(across[0].name, "");  // another dialect's name means nothing on the target
  EXPECT_EQ(across[0].last_value, 999);
  EXPECT_TRUE(across[0].called);

  auto same = SequencesForTarget(inv, source, /*same_dialect=*/true, /*keep_unowned=*/true);
  ASSERT_EQ(same.size(), 2u);
  EXPECT_EQ(same[0].name, "t");
  EXPECT_EQ(same[0].owner, "items.item_id");
  EXPECT_EQ(same[1].name, "free");
  EXPECT_EQ(SequencesForTarget(inv, source, true, /*keep_unowned=*/false).size(), 1u);
}

TEST(SequencesForTarget, MatchesPostgresOwnersWithOrWithoutTheirSchema) {
  Inventory in_public = OneTable("public", "orders", "orders", "id");
  std::vector<SequenceValue> source = {
      {.name = "public.orders_id_seq", .owner = "public.orders.id", .last_value = 42}};
  ASSERT_EQ(SequencesForTarget(in_public, source, false, false).size(), 1u);
  Inventory in_sales = OneTable("sales", "sales.orders", "sales.orders", "id");
  source[0].owner = "sales.orders.id";
  auto kept = SequencesForTarget(in_sales, source, false, false);
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].owner, "sales.orders.id");
  source[0].owner = "public.orders.id";  // another schema's table of the same name
  EXPECT_TRUE(SequencesForTarget(in_sales, source, false, false).empty());
}

TEST(SequencesNote, SaysWhatWasSetAndWhyTheRestWasNot) {
  EXPECT_EQ(SequencesNote({.set = 2, .missing = {}}, 2), "set 2 counters");
  EXPECT_EQ(SequencesNote({.set = 1, .missing = {"b.id"}}, 3),
            "set 1 counter; 1 have no counter of their own on the target; no sequence on the "
            "target for b.id");
  EXPECT_EQ(MissingSequencesNote({.set = 0, .missing = {"a", "b"}}),
            "no sequence on the target "
            "for a, b");
  EXPECT_EQ(MissingSequencesNote({.set = 3, .missing = {}}), "");
}

}  // namespace
}  // namespace peerlock
