#include "connectors/mysql/mysql_dialect.h"

#include <gtest/gtest.h>

namespace peerlock {
namespace {

TEST(MysqlDialect, MapsEveryColumnType) {
  MysqlDialect d;
  EXPECT_EQ(d.ToLogical("tinyint(1)").kind, TypeKind::kBool);
  auto u8 = d.ToLogical("tinyint(3) unsigned");
  EXPECT_EQ(u8.kind, TypeKind::kInt);
  EXPECT_EQ(u8.bits, 8);
  EXPECT_TRUE(u8.is_unsigned);
  EXPECT_EQ(d.ToLogical("smallint(6)").bits, 16);
  EXPECT_EQ(d.ToLogical("mediumint(8) unsigned").bits, 24);
  EXPECT_EQ(d.ToLogical("int(11)").bits, 32);
  auto u64 = d.ToLogical("bigint(20) unsigned");
  EXPECT_EQ(u64.bits, 64);
  EXPECT_TRUE(u64.is_unsigned);
  auto dec = d.ToLogical("decimal(65,30)");
  EXPECT_EQ(dec.kind, TypeKind::kDecimal);
  EXPECT_EQ(dec.precision.value_or(0), 65);
  EXPECT_EQ(dec.scale.value_or(0), 30);
  EXPECT_EQ(d.ToLogical("decimal(10)").scale.value_or(-1), 0);
  EXPECT_EQ(d.ToLogical("float").kind, TypeKind::kFloat32);
  EXPECT_EQ(d.ToLogical("double").kind, TypeKind::kFloat64);
  auto vc = d.ToLogical("varchar(40)");
  EXPECT_EQ(vc.kind, TypeKind::kText);
  EXPECT_EQ(vc.precision.value_or(0), 40);
  EXPECT_EQ(d.ToLogical("longtext").kind, TypeKind::kText);
  EXPECT_EQ(d.ToLogical("enum('a','b')").kind, TypeKind::kText);
  EXPECT_EQ(d.ToLogical("set('r','w')").kind, TypeKind::kText);
  auto bin = d.ToLogical("binary(4)");
  EXPECT_EQ(bin.kind, TypeKind::kBytes);
  EXPECT_EQ(bin.precision.value_or(0), 4);
  EXPECT_EQ(d.ToLogical("longblob").kind, TypeKind::kBytes);
  auto bit = d.ToLogical("bit(16)");
  EXPECT_EQ(bit.kind, TypeKind::kBits);
  EXPECT_EQ(bit.precision.value_or(0), 16);
  EXPECT_EQ(d.ToLogical("date").kind, TypeKind::kDate);
  EXPECT_EQ(d.ToLogical("time").kind, TypeKind::kInterval);
  EXPECT_EQ(d.ToLogical("datetime(3)").kind, TypeKind::kTimestamp);
  EXPECT_EQ(d.ToLogical("timestamp(6)").kind, TypeKind::kTimestampTz);
  EXPECT_EQ(d.ToLogical("year(4)").kind, TypeKind::kInt);
  EXPECT_EQ(d.ToLogical("json").kind, TypeKind::kJson);
  EXPECT_EQ(d.ToLogical("point").kind, TypeKind::kOpaque);
  EXPECT_EQ(d.ToLogical("geometry").kind, TypeKind::kOpaque);
}

// Logical -> native -> logical lands on the same type for everything MariaDB holds natively.
TEST(MysqlDialect, RoundTripsLogicalTypes) {
  MysqlDialect d;
  std::vector<LogicalType> types = {
      MakeType(TypeKind::kBool),
      LogicalType{.kind = TypeKind::kInt, .bits = 8},
      LogicalType{.kind = TypeKind::kInt, .bits = 16, .is_unsigned = true},
      LogicalType{.kind = TypeKind::kInt, .bits = 32},
      LogicalType{.kind = TypeKind::kInt, .bits = 64, .is_unsigned = true},
      LogicalType{.kind = TypeKind::kDecimal, .precision = 65, .scale = 30},
      MakeType(TypeKind::kFloat32),
      MakeType(TypeKind::kFloat64),
      LogicalType{.kind = TypeKind::kText, .precision = 40},
      LogicalType{.kind = TypeKind::kBytes, .precision = 4},
      LogicalType{.kind = TypeKind::kBits, .precision = 16},
      MakeType(TypeKind::kDate),
      MakeType(TypeKind::kTimestamp),
      MakeType(TypeKind::kJson),
  };
  for (const auto& t : types) {
    TypeMapping m = d.FromLogical(t);
    EXPECT_EQ(m.fidelity, Fidelity::kExact) << LogicalTypeName(t) << " -> " << m.native_type;
    EXPECT_EQ(d.ToLogical(m.native_type), t) << LogicalTypeName(t) << " -> " << m.native_type;
  }
  EXPECT_EQ(d.FromLogical(MakeType(TypeKind::kText)).native_type, "LONGTEXT");
  EXPECT_EQ(d.FromLogical(MakeType(TypeKind::kTimestampTz)).fidelity, Fidelity::kWidened);
  EXPECT_EQ(d.FromLogical(MakeType(TypeKind::kInterval)).fidelity, Fidelity::kLossy);
  EXPECT_EQ(d.FromLogical(MakeType(TypeKind::kDecimal)).fidelity, Fidelity::kLossy);
  EXPECT_EQ(d.FromLogical(MakeType(TypeKind::kOpaque)).fidelity, Fidelity::kLossy);
}

TEST(MysqlDialect, QuotesIdentifiersWithBackticks) {
  MysqlDialect d;
  EXPECT_EQ(d.QuoteIdentifier("order"), "`order`");
  EXPECT_EQ(d.QuoteIdentifier("my `t`"), "`my ``t```");
  EXPECT_EQ(d.QuoteIdentifier("naïve table"), "`naïve table`");
  std::string longest(MysqlDialect::kMaxIdentifier, 'x');
  EXPECT_EQ(d.QuoteIdentifier(longest), "`" + longest + "`");
  EXPECT_EQ(d.QuoteList({"a", "b"}), "`a`, `b`");
}

TEST(MysqlDialect, RendersTablesWithKeysAfterTheData) {
  MysqlDialect d;
  Table t;
  t.name = "orders";
  t.columns = {
      Column{.name = "id", .type = LogicalType{.kind = TypeKind::kInt}, .nullable = false},
      Column{.name = "code", .type = MakeType(TypeKind::kText), .nullable = false},
      Column{.name = "note", .type = MakeType(TypeKind::kText)},
      Column{.name = "customer_id", .type = LogicalType{.kind = TypeKind::kInt}},
  };
  t.primary_key = {"id"};
  t.indexes = {Index{.name = "orders_code_key", .columns = {"code"}, .unique = true},
               Index{.name = "orders_note", .columns = {"note"}}};
  t.foreign_keys = {ForeignKey{.name = "orders_fk0",
                               .columns = {"customer_id"},
                               .ref_table = "customers",
                               .ref_columns = {"id"},
                               .on_delete = "CASCADE"}};
  auto create = d.CreateTableSql(t);
  ASSERT_EQ(create.size(), 1u);
  EXPECT_EQ(create[0],
            "CREATE TABLE `orders` (\n"
            "  `id` BIGINT NOT NULL,\n"
            "  `code` VARCHAR(255) NOT NULL,\n"
            "  `note` LONGTEXT NULL,\n"
            "  `customer_id` BIGINT NULL,\n"
            "  PRIMARY KEY (`id`)\n"
            ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin");
  auto post = d.PostDataSql(t);
  ASSERT_EQ(post.size(), 3u);
  EXPECT_EQ(post[0],
            "ALTER TABLE `orders` ADD UNIQUE KEY IF NOT EXISTS `orders_code_key` (`code`)");
  EXPECT_EQ(post[1], "ALTER TABLE `orders` ADD KEY IF NOT EXISTS `orders_note` (`note`(255))");
  EXPECT_EQ(post[2],
            "ALTER TABLE `orders` ADD CONSTRAINT `orders_fk0` FOREIGN KEY IF NOT EXISTS "
            "(`customer_id`) REFERENCES `customers` (`id`) ON DELETE CASCADE");
  EXPECT_EQ(d.DropTableSql("orders"), "DROP TABLE IF EXISTS `orders`");
}

TEST(MysqlDialect, ReplaysNativeDefinitionsWithoutPostDataClauses) {
  std::string native =
      "CREATE TABLE `items` (\n"
      "  `id` int(11) NOT NULL AUTO_INCREMENT,\n"
      "  `seq` int(11) NOT NULL,\n"
      "  `order_id` int(11) NOT NULL,\n"
      "  `name` varchar(40) COLLATE utf8mb4_bin DEFAULT NULL,\n"
      "  PRIMARY KEY (`order_id`, `seq`),\n"
      "  KEY `id` (`id`),\n"
      "  UNIQUE KEY `name` (`name`(10)),\n"
      "  CONSTRAINT `items_fk` FOREIGN KEY (`order_id`) REFERENCES `orders` (`id`)\n"
      ") ENGINE=InnoDB AUTO_INCREMENT=7 DEFAULT CHARSET=utf8mb4";
  EXPECT_EQ(MysqlDialect::WithoutPostDataClauses(native),
            "CREATE TABLE `items` (\n"
            "  `id` int(11) NOT NULL AUTO_INCREMENT,\n"
            "  `seq` int(11) NOT NULL,\n"
            "  `order_id` int(11) NOT NULL,\n"
            "  `name` varchar(40) COLLATE utf8mb4_bin DEFAULT NULL,\n"
            "  PRIMARY KEY (`order_id`, `seq`),\n"
            "  KEY `id` (`id`)\n"
            ") ENGINE=InnoDB AUTO_INCREMENT=7 DEFAULT CHARSET=utf8mb4");
  MysqlDialect d;
  Table t;
  t.name = "items";
  t.native_sql = native;
  t.indexes = {Index{.name = "name",
                     .columns = {"name"},
                     .unique = true,
                     .native_sql = "UNIQUE KEY `name` (`name`(10))"}};
  auto post = d.PostDataSql(t);
  ASSERT_EQ(post.size(), 1u);
  EXPECT_EQ(post[0], "ALTER TABLE `items` ADD UNIQUE KEY IF NOT EXISTS `name` (`name`(10))");
}

}  // namespace
}  // namespace peerlock
