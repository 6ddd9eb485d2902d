#include "connectors/sqlite/sqlite_demo_shop.h"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <memory>
#include <string_view>
#include <system_error>

#include "connectors/sqlite/sqlite_errors.h"

namespace peerlock {
namespace {

// splitmix64: tiny, fast and fully specified, so a seed gives the same database on every
// platform and standard library (std:: distributions are implementation-defined).
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}

  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n), n > 0, by multiply-shift; its bias (< n / 2^64) is irrelevant here.
  uint64_t Below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
  }
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo) + 1));
  }
  bool Percent(uint64_t p) { return Below(100) < p; }
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  template <typename T, size_t N>
  const T& Pick(const std::array<T, N>& items) {
    return items[Below(N)];
  }

 private:
  uint64_t state_;
};

struct Name {
  std::string_view text;
  std::string_view slug;  // ASCII, for the email address
};

// Names carry the text a migration tends to break: accents both precomposed and as combining
// marks (U+0301, U+0308), Cyrillic, Greek, Arabic (right-to-left), CJK, Hangul, apostrophes.
constexpr std::array<Name, 24> kFirstNames = {{
    {"Anna", "anna"},      {"José", "jose"},           {"Zoë", "zoe"},
    {"Björn", "bjorn"},    {"Søren", "soren"},         {"François", "francois"},
    {"Łukasz", "lukasz"},  {"Rene\u0301e", "renee"},   {"Noe\u0308l", "noel"},
    {"Дмитрий", "dmitry"}, {"Νίκος", "nikos"},         {"محمد", "mohammed"},
    {"さくら", "sakura"},  {"민준", "minjun"},         {"Wei", "wei"},
    {"John", "john"},      {"Mary", "mary"},           {"Siobhán", "siobhan"},
    {"Ngọc", "ngoc"},      {"Chloé", "chloe"},         {"Jürgen", "jurgen"},
    {"Priya", "priya"},    {"Olúwaseun", "oluwaseun"}, {"D'Arcy", "darcy"},
}};
constexpr std::array<Name, 20> kLastNames = {{
    {"Smith", "smith"},
    {"O'Brien", "obrien"},
    {"Müller", "muller"},
    {"García", "garcia"},
    {"Nguyễn", "nguyen"},
    {"王", "wang"},
    {"李", "li"},
    {"佐藤", "sato"},
    {"Kowalski", "kowalski"},
    {"Ødegård", "odegard"},
    {"Smith-Jones", "smithjones"},
    {"van der Berg", "vanderberg"},
    {"Ахмедов", "akhmedov"},
    {"Papadopoulos", "papadopoulos"},
    {"Johnson", "johnson"},
    {"Kim", "kim"},
    {"Dubois", "dubois"},
    {"Rossi", "rossi"},
    {"Çelik", "celik"},
    {"Đorđević", "dordevic"},
}};
// 4-byte UTF-8, a flag (two regional indicators) and a ZWJ sequence.
constexpr std::array<std::string_view, 5> kEmoji = {"😀", "🐧", "🦄", "🇺🇦", "👩‍💻"};
constexpr std::array<std::string_view, 3> kDomains = {"example.com", "mail.example", "shop.test"};
// Free text with the characters that break CSV, dumps and naive quoting.
constexpr std::array<std::string_view, 8> kNotes = {
    "prefers email",  "call after 5pm", "VIP since 2019",     "line one\nline two",
    "tab\tseparated", "said \"hi\"",    "50% off; don't ask", "C:\\Users\\legacy",
};
constexpr std::array<std::string_view, 7> kCategories = {"BOOK", "TOY",  "HOME", "GARD",
                                                         "ELEC", "FOOD", "CLTH"};
constexpr std::array<std::string_view, 8> kAdjectives = {"Classic",  "Premium", "Eco",      "Crème",
                                                         "Größe XL", "日本",    "Übergroß", "Tiny"};
constexpr std::array<std::string_view, 8> kNouns = {"Mug",      "T-Shirt",  "Teapot", "Lamp",
                                                    "Notebook", "Café Set", "Socks™", "茶碗"};
constexpr std::array<std::string_view, 5> kMethods = {"card", "paypal", "bank_transfer", "cash",
                                                      "gift_card"};
constexpr std::array<std::string_view, 6> kActions = {
    "login", "logout", "order.create", "order.cancel", "price.change", "export"};

constexpr const char* kSchema = R"sql(
CREATE TABLE customers (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  email TEXT UNIQUE,
  phone TEXT,
  created_at TEXT NOT NULL,
  balance DECIMAL(12,2) NOT NULL DEFAULT 0,
  vip BOOLEAN NOT NULL DEFAULT 0,
  notes TEXT
);
CREATE TABLE products (
  id INTEGER PRIMARY KEY,
  sku TEXT UNIQUE NOT NULL,
  title TEXT,
  price NUMERIC(10,2) NOT NULL,
  weight_kg REAL,
  image BLOB
);
CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  ordered_on DATE NOT NULL,
  status TEXT NOT NULL
    CHECK (status IN ('pending', 'paid', 'shipped', 'delivered', 'cancelled', 'refunded')),
  total DECIMAL(12,2) NOT NULL
);
CREATE TABLE order_items (
  order_id INTEGER NOT NULL REFERENCES orders(id),
  line_no INTEGER NOT NULL,
  product_id INTEGER NOT NULL REFERENCES products(id),
  quantity INTEGER NOT NULL,
  unit_price DECIMAL(10,2) NOT NULL,
  PRIMARY KEY (order_id, line_no)
);
CREATE TABLE payments (
  id INTEGER PRIMARY KEY,
  order_id INTEGER NOT NULL REFERENCES orders(id),
  amount DECIMAL(12,2) NOT NULL,
  method TEXT NOT NULL,
  paid_at TIMESTAMP NOT NULL,
  reference TEXT,
  reference_number INTEGER
);
CREATE TABLE audit_events (
  at TEXT NOT NULL,
  actor TEXT,
  action TEXT NOT NULL,
  payload BLOB
);
)sql";

// Secondary indexes, the view and the trigger come after the data: building an index once is
// faster than maintaining it row by row, and it is also how a dump restores.
constexpr const char* kSchemaAfterData = R"sql(
CREATE INDEX idx_orders_customer_id ON orders(customer_id);
CREATE INDEX idx_payments_order_id ON payments(order_id);
CREATE VIEW customer_totals AS
  SELECT c.id AS customer_id, c.name, COUNT(o.id) AS order_count,
         COALESCE(SUM(o.total), 0) AS total_spent
  FROM customers c LEFT JOIN orders o ON o.customer_id = c.id
  GROUP BY c.id;
-- Raises instead of writing: a trigger that wrote rows would fire again on a migration target
-- and make it diverge from the source.
CREATE TRIGGER orders_cancelled_is_final AFTER UPDATE OF status ON orders
  WHEN OLD.status = 'cancelled' AND NEW.status <> 'cancelled'
BEGIN
  SELECT RAISE(ABORT, 'a cancelled order cannot be reopened');
END;
)sql";

// Days since 1970-01-01 <-> civil date (H. Hinnant's algorithms), to format dates without
// time zones or the C library's locale-dependent functions.
constexpr int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

constexpr int64_t kFirstDay = DaysFromCivil(2012, 1, 1);
constexpr int64_t kLastCustomerDay = DaysFromCivil(2024, 6, 30);
constexpr int64_t kLastDay = DaysFromCivil(2024, 12, 31);
constexpr int64_t kSecondsPerDay = 86400;
constexpr double kMaxScale = 1000;  // as documented in the header

// "YYYY-MM-DD", or "YYYY-MM-DD HH:MM:SS" when `seconds` (of the day) is given.
std::string_view FormatDay(int64_t day, int64_t seconds, char (&buf)[40]) {
  const int64_t z = day + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2);
  int n = seconds < 0
              ? std::snprintf(buf, sizeof buf, "%04" PRId64 "-%02u-%02u", y, m, d)
              : std::snprintf(buf, sizeof buf, "%04" PRId64 "-%02u-%02u %02d:%02d:%02d", y, m, d,
                              static_cast<int>(seconds / 3600), static_cast<int>(seconds / 60 % 60),
                              static_cast<int>(seconds % 60));
  return {buf, static_cast<size_t>(n)};
}

// Money is generated in integer cents so totals add up exactly; bound as the double a legacy
// application would have written (SQLite's NUMERIC affinity keeps whole amounts as INTEGER).
double Money(int64_t cents) { return static_cast<double>(cents) / 100.0; }

struct StmtCloser {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtCloser>;

// Binds one row's values left to right; remembers the first failure for Writer::Insert.
class Row {
 public:
  explicit Row(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Row& Int(int64_t v) { return Check(sqlite3_bind_int64(stmt_, ++col_, v)); }
  Row& Real(double v) { return Check(sqlite3_bind_double(stmt_, ++col_, v)); }
  Row& Null() { return Check(sqlite3_bind_null(stmt_, ++col_)); }
  Row& Text(std::string_view v) {
    return Check(
        sqlite3_bind_text(stmt_, ++col_, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
  }
  Row& TextOrNull(bool present, std::string_view v) { return present ? Text(v) : Null(); }
  // An empty `bytes` binds a zero-length blob, which is not NULL.
  Row& Blob(std::string_view bytes) {
    if (bytes.empty()) return Check(sqlite3_bind_zeroblob(stmt_, ++col_, 0));
    return Check(sqlite3_bind_blob(stmt_, ++col_, bytes.data(), static_cast<int>(bytes.size()),
                                   SQLITE_TRANSIENT));
  }
  sqlite3_stmt* stmt() const { return stmt_; }
  int rc() const { return rc_; }

 private:
  Row& Check(int rc) {
    if (rc_ == SQLITE_OK) rc_ = rc;
    return *this;
  }
  sqlite3_stmt* stmt_;
  int col_ = 0;
  int rc_ = SQLITE_OK;
};

// One connection to the file being generated; every error names the file.
class Writer {
 public:
  explicit Writer(const std::string& path) : path_(path) {}
  ~Writer() { sqlite3_close_v2(db_); }  // after every Stmt: they are finalized first

  Status Open() {
    const int rc =
        sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    if (rc != SQLITE_OK) return Fail(SqlError("open", rc));
    return {};
  }
  Status Exec(const char* sql, std::string_view what) {
    const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return Fail(SqlError(what, rc));
    return {};
  }
  Result<Stmt> Prepare(const char* sql) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return Fail(SqlError(sql, rc));
    return Stmt(stmt);
  }
  // Steps the statement once; its bindings stay for a repeat (sqlite3_reset keeps them).
  Status Step(sqlite3_stmt* stmt) {
    const int rc = sqlite3_step(stmt);
    sqlite3_reset(stmt);  // returns the step's error again, already handled below
    if (rc != SQLITE_DONE) return Fail(SqlError(sqlite3_sql(stmt), rc));
    return {};
  }
  Status Insert(const Row& row) {
    if (row.rc() != SQLITE_OK) return Fail(SqlError(sqlite3_sql(row.stmt()), row.rc()));
    return Step(row.stmt());
  }

 private:
  Error SqlError(std::string_view what, int rc) const {
    Error native = SqliteError(db_, rc, "demo shop '" + path_ + "': " + std::string(what));
    // The file or the disk is the caller's to fix; any other refusal means the generator wrote
    // SQL or data SQLite rejects, a bug here, so SqliteError's hint for a copy would mislead.
    switch (rc & 0xff) {
      case SQLITE_CANTOPEN:
      case SQLITE_IOERR:
      case SQLITE_FULL:
      case SQLITE_READONLY:
      case SQLITE_PERM:
      case SQLITE_NOTADB:
      case SQLITE_CORRUPT:
      case SQLITE_BUSY:
      case SQLITE_LOCKED: {
        Error error(ErrorCode::kIo, native.message());
        error.WithNative(native.native_code()).WithHint(native.hint());
        return error;
      }
      default: {
        Error error(ErrorCode::kInternal, native.message());
        error.WithNative(native.native_code());
        return error;
      }
    }
  }

  std::string path_;
  sqlite3* db_ = nullptr;
};

struct Counts {
  int64_t customers, products, orders, order_items, payments, audit_events;
};

int64_t Scaled(int64_t at_one, double scale) {
  return std::max<int64_t>(1, std::llround(static_cast<double>(at_one) * scale));
}

// What later tables need to know about earlier ones, indexed by id - 1.
struct Generated {
  std::vector<int32_t> customer_first_day;
  std::vector<int32_t> price_cents;
  std::vector<int32_t> order_day;
  std::vector<int64_t> order_total_cents;
};

Status GenerateCustomers(Writer& w, Rng rng, int64_t count, Generated& gen) {
  PL_ASSIGN(Stmt stmt, w.Prepare("INSERT INTO customers VALUES (?,?,?,?,?,?,?,?)"));
  // The first rows are fixed so every scale holds the edge values.
  static constexpr std::array<Name, 3> kFixed = {{
      {"Zoë O'Brien 🦄", "zoe.obrien"},
      {"Rene\u0301e Mu\u0308ller", "renee.muller"},  // combining marks, not precomposed
      {"王小明", "wang.xiaoming"},
  }};
  std::string name, email, phone;
  char day_buf[40];
  gen.customer_first_day.reserve(count);
  for (int64_t id = 1; id <= count; ++id) {
    const Name& first = rng.Pick(kFirstNames);
    const Name& last = rng.Pick(kLastNames);
    const bool emoji = rng.Percent(2);
    if (id <= static_cast<int64_t>(kFixed.size())) {
      name.assign(kFixed[id - 1].text);
      email.assign(kFixed[id - 1].slug).append(".");
    } else {
      name.assign(first.text).append(" ").append(last.text);
      if (emoji) name.append(" ").append(rng.Pick(kEmoji));
      email.assign(first.slug).append(".").append(last.slug).append(".");
    }
    const bool has_email = id <= 3 || !rng.Percent(1);
    email.append(std::to_string(id)).append("@").append(rng.Pick(kDomains));

    const bool has_phone = !rng.Percent(20);
    char buf[32];
    const int n =
        std::snprintf(buf, sizeof buf, "+1-555-%03d-%04d", static_cast<int>(rng.Below(1000)),
                      static_cast<int>(rng.Below(10000)));
    phone.assign(buf, static_cast<size_t>(n));

    const int64_t day = rng.Between(kFirstDay, kLastCustomerDay);
    gen.customer_first_day.push_back(static_cast<int32_t>(day));
    const std::string_view created = FormatDay(day, rng.Between(0, kSecondsPerDay - 1), day_buf);

    const int64_t balance = rng.Percent(60) ? 0 : rng.Between(-5000, 500000);
    const bool vip = rng.Percent(5);

    // Notes distinguish NULL, the empty string and the text 'NULL', which exports confuse.
    Row row(stmt.get());
    row.Int(id).Text(name).TextOrNull(has_email, email).TextOrNull(has_phone, phone);
    row.Text(created).Real(Money(balance)).Int(vip ? 1 : 0);
    const uint64_t pick = rng.Below(100);
    if (id == 1 || (id > 3 && pick < 40)) {
      row.Null();
    } else if (id == 2 || (id > 3 && pick < 50)) {
      row.Text("");
    } else if (id == 3 || pick < 52) {
      row.Text("NULL");
    } else {
      row.Text(rng.Pick(kNotes));
    }
    PL_TRY(w.Insert(row));
  }
  return {};
}

Status GenerateProducts(Writer& w, Rng rng, int64_t count, Generated& gen) {
  PL_ASSIGN(Stmt stmt, w.Prepare("INSERT INTO products VALUES (?,?,?,?,?,?)"));
  std::string title, image;
  gen.price_cents.reserve(count);
  for (int64_t id = 1; id <= count; ++id) {
    char sku[32];
    const int sku_len =
        std::snprintf(sku, sizeof sku, "%s-%06" PRId64, rng.Pick(kCategories).data(), id);
    title.assign(rng.Pick(kAdjectives)).append(" ").append(rng.Pick(kNouns));
    const bool has_title = !rng.Percent(1);

    int64_t cents = rng.Between(99, 49999);
    const uint64_t ending = rng.Below(10);
    if (ending < 5) cents = cents / 100 * 100 + 99;  // $x.99 pricing
    if (ending == 5) cents = cents / 100 * 100;      // whole: stored as INTEGER by affinity
    gen.price_cents.push_back(static_cast<int32_t>(cents));
    // Bound as text, as a form post would arrive; NUMERIC affinity converts it.
    char price[32];
    const int price_len =
        std::snprintf(price, sizeof price, "%" PRId64 ".%02" PRId64, cents / 100, cents % 100);

    // Sums of tenths are the classic non-representable decimals (0.1 + 0.2 =
    // 0.30000000000000004); random mantissas also need all 17 digits to round-trip.
    double weight;
    const uint64_t kind = id == 1 ? 0 : rng.Below(10);
    if (id == 1) {
      weight = 0.1 + 0.2;
    } else if (kind < 4) {
      weight = static_cast<double>(rng.Between(1, 50)) / 10.0 +
               static_cast<double>(rng.Between(1, 50)) / 10.0;
    } else if (kind < 8) {
      weight = rng.Unit() * 25.0;
    } else {
      weight = static_cast<double>(rng.Between(1, 100)) * 0.25;
    }

    // PNG signature and IHDR length: NUL bytes right at the start, like real images.
    static constexpr std::string_view kPngHead("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
    image.assign(kPngHead);
    const int64_t tail = rng.Between(8, 40);
    for (int64_t i = 0; i < tail; ++i) image.push_back(static_cast<char>(rng.Below(256)));
    const bool has_image = id == 2 || (id != 3 && !rng.Percent(10));
    if (id == 2) image.clear();  // a zero-length blob, distinct from NULL (id 3)

    Row row(stmt.get());
    row.Int(id).Text({sku, static_cast<size_t>(sku_len)}).TextOrNull(has_title, title);
    row.Text({price, static_cast<size_t>(price_len)}).Real(weight);
    if (has_image) {
      row.Blob(image);
    } else {
      row.Null();
    }
    PL_TRY(w.Insert(row));
  }
  return {};
}

// Lines per order: one each, the rest spread at random, so the item count is exact.
std::vector<uint16_t> LinesPerOrder(Rng& rng, int64_t orders, int64_t items) {
  std::vector<uint16_t> lines(orders, items >= orders ? 1 : 0);
  int64_t left = items >= orders ? items - orders : items;
  const int64_t cap = std::max<int64_t>(8, items / orders + 2);
  while (left > 0) {
    uint16_t& n = lines[rng.Below(orders)];
    if (n < cap) ++n, --left;
  }
  return lines;
}

Status GenerateOrders(Writer& w, Rng rng, const Counts& counts, Generated& gen) {
  PL_ASSIGN(Stmt order_stmt, w.Prepare("INSERT INTO orders VALUES (?,?,?,?,?)"));
  PL_ASSIGN(Stmt item_stmt, w.Prepare("INSERT INTO order_items VALUES (?,?,?,?,?)"));
  const std::vector<uint16_t> lines = LinesPerOrder(rng, counts.orders, counts.order_items);
  struct Item {
    int64_t product, quantity, unit_cents;
  };
  std::vector<Item> items;
  char day_buf[40];
  gen.order_day.reserve(counts.orders);
  gen.order_total_cents.reserve(counts.orders);
  for (int64_t id = 1; id <= counts.orders; ++id) {
    // A tenth of the customers place a third of the orders.
    const int64_t customers = counts.customers;
    const int64_t customer =
        1 + static_cast<int64_t>(rng.Percent(33) ? rng.Below(std::max<int64_t>(1, customers / 10))
                                                 : rng.Below(customers));
    const int64_t first = gen.customer_first_day[customer - 1];
    const int64_t day = rng.Between(first, kLastDay);
    const uint64_t s = rng.Below(100);
    const char* status = s < 55   ? "delivered"
                         : s < 65 ? "shipped"
                         : s < 75 ? "paid"
                         : s < 85 ? "pending"
                         : s < 95 ? "cancelled"
                                  : "refunded";
    items.clear();
    int64_t total = 0;
    for (int line = 0; line < lines[id - 1]; ++line) {
      const int64_t product = 1 + static_cast<int64_t>(rng.Below(counts.products));
      const int64_t quantity = rng.Percent(80) ? 1 : rng.Between(2, 5);
      int64_t unit = gen.price_cents[product - 1];
      if (rng.Percent(10)) unit = unit * 9 / 10;  // a discounted line
      items.push_back({product, quantity, unit});
      total += quantity * unit;
    }
    gen.order_day.push_back(static_cast<int32_t>(day));
    gen.order_total_cents.push_back(total);

    Row order(order_stmt.get());
    order.Int(id).Int(customer).Text(FormatDay(day, -1, day_buf)).Text(status).Real(Money(total));
    PL_TRY(w.Insert(order));
    for (size_t i = 0; i < items.size(); ++i) {
      Row item(item_stmt.get());
      item.Int(id).Int(static_cast<int64_t>(i) + 1).Int(items[i].product);
      item.Int(items[i].quantity).Real(Money(items[i].unit_cents));
      PL_TRY(w.Insert(item));
    }
  }
  return {};
}

Status GeneratePayments(Writer& w, Rng rng, int64_t count, const Generated& gen) {
  PL_ASSIGN(Stmt stmt, w.Prepare("INSERT INTO payments VALUES (?,?,?,?,?,?,?)"));
  // Values that break int64 -> double or naive range checks.
  static constexpr std::array<int64_t, 3> kExtremes = {std::numeric_limits<int64_t>::min(),
                                                       std::numeric_limits<int64_t>::max(),
                                                       (int64_t{1} << 53) + 1};
  char day_buf[40];
  std::string paid_at;
  for (int64_t id = 1; id <= count; ++id) {
    const int64_t order = 1 + static_cast<int64_t>(rng.Below(gen.order_day.size()));
    int64_t amount = gen.order_total_cents[order - 1];
    if (rng.Percent(20)) amount = amount * rng.Between(10, 90) / 100;  // a partial payment
    const std::string_view method = rng.Pick(kMethods);
    const int64_t day = gen.order_day[order - 1] + rng.Between(0, 3);
    paid_at.assign(FormatDay(day, rng.Between(0, kSecondsPerDay - 1), day_buf));
    if (rng.Percent(3)) {  // some rows written by a newer app version with microseconds
      char micros[16];
      paid_at.append(micros,
                     static_cast<size_t>(std::snprintf(micros, sizeof micros, ".%06d",
                                                       static_cast<int>(rng.Below(1000000)))));
    }
    const bool cash = method == "cash";
    char reference[32];
    const int ref_len = std::snprintf(reference, sizeof reference, "PAY-%016" PRIX64, rng.Next());
    const int64_t number = id <= static_cast<int64_t>(kExtremes.size())
                               ? kExtremes[id - 1]
                               : static_cast<int64_t>(rng.Next() >> 1);

    Row row(stmt.get());
    row.Int(id).Int(order).Real(Money(amount)).Text(method).Text(paid_at);
    row.TextOrNull(!cash, {reference, static_cast<size_t>(ref_len)});
    if (!cash || id <= static_cast<int64_t>(kExtremes.size())) {
      row.Int(number);
    } else {
      row.Null();
    }
    PL_TRY(w.Insert(row));
  }
  return {};
}

Status GenerateAuditEvents(Writer& w, Rng rng, int64_t count, int64_t customers) {
  PL_ASSIGN(Stmt stmt, w.Prepare("INSERT INTO audit_events VALUES (?,?,?,?)"));
  char day_buf[40];
  std::string actor, payload;
  const int64_t start = DaysFromCivil(2023, 1, 1) * kSecondsPerDay;
  const int64_t span = (kLastDay + 1) * kSecondsPerDay - start;
  for (int64_t i = 0; i < count; ++i) {
    // A table without a key may hold identical rows (here: an event logged twice); a copy
    // must keep both.
    if (i % 500 == 1) {
      PL_TRY(w.Step(stmt.get()));  // the previous row's bindings are still in place
      continue;
    }
    const int64_t at = start + span * i / count + rng.Between(0, 59);
    const uint64_t who = rng.Below(20);
    if (who < 12) {
      actor = "customer:" + std::to_string(1 + rng.Below(customers));
    } else {
      actor = who < 16 ? "admin@shop.example" : who < 18 ? "system" : "cron/nightly";
    }
    const std::string_view action = rng.Pick(kActions);
    const uint64_t kind = rng.Below(10);
    if (kind < 6) {
      payload = "{\"ref\":" + std::to_string(rng.Below(1000000)) + ",\"ip\":\"10.0.0." +
                std::to_string(rng.Below(256)) + "\"}";
    } else {
      // A packed little-endian record: magic, then an int64 with high zero bytes.
      payload.assign("EVT\0", 4);
      const uint64_t v = rng.Below(1u << 20);
      for (int b = 0; b < 8; ++b) payload.push_back(static_cast<char>(v >> (8 * b)));
    }
    Row row(stmt.get());
    row.Text(FormatDay(at / kSecondsPerDay, at % kSecondsPerDay, day_buf));
    row.TextOrNull(who != 19, actor).Text(action);  // an anonymous event has no actor
    if (kind == 9) {
      row.Null();
    } else {
      row.Blob(payload);
    }
    PL_TRY(w.Insert(row));
  }
  return {};
}

Status RemoveDatabaseFiles(const std::string& path) {
  // std::filesystem::remove would also delete an empty directory named like the database.
  if (std::error_code ec; std::filesystem::is_directory(path, ec)) {
    return Fail(ErrorCode::kIo, "demo shop '" + path + "': is a directory, not a database file");
  }
  for (const char* suffix : {"", "-journal", "-wal", "-shm"}) {
    std::error_code ec;
    std::filesystem::remove(path + suffix, ec);
    if (ec) {
      return Fail(ErrorCode::kIo,
                  "demo shop '" + path + "': cannot remove " + path + suffix + ": " + ec.message());
    }
  }
  return {};
}

Status Generate(const std::string& path, const DemoShopOptions& options, const Counts& counts) {
  Writer w(path);
  PL_TRY(w.Open());
  // Nothing to protect while the file is being born: a crash leaves a file we delete anyway.
  PL_TRY(
      w.Exec("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA locking_mode=EXCLUSIVE;"
             " PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;",
             "set pragmas"));
  PL_TRY(w.Exec("BEGIN", "begin"));
  PL_TRY(w.Exec(kSchema, "create tables"));
  // One stream per table, so changing how one table is generated leaves the others as they were.
  Rng seeds(options.seed);
  Generated gen;
  PL_TRY(GenerateCustomers(w, Rng(seeds.Next()), counts.customers, gen));
  PL_TRY(GenerateProducts(w, Rng(seeds.Next()), counts.products, gen));
  PL_TRY(GenerateOrders(w, Rng(seeds.Next()), counts, gen));
  PL_TRY(GeneratePayments(w, Rng(seeds.Next()), counts.payments, gen));
  PL_TRY(GenerateAuditEvents(w, Rng(seeds.Next()), counts.audit_events, counts.customers));
  PL_TRY(w.Exec(kSchemaAfterData, "create indexes, view and trigger"));
  return w.Exec("COMMIT", "commit");
}

}  // namespace

Result<DemoShopSummary> CreateDemoShop(const std::string& path, const DemoShopOptions& options) {
  // The upper bound keeps every count and id far inside int32 bookkeeping and memory.
  if (!(options.scale > 0 && options.scale <= kMaxScale)) {
    char got[32];
    std::snprintf(got, sizeof got, "%g", options.scale);
    return Fail(ErrorCode::kInvalidArgument,
                std::string("demo shop scale must be > 0 and <= 1000, got ") + got);
  }
  const double s = options.scale;
  const Counts counts{.customers = Scaled(100'000, s),
                      .products = Scaled(10'000, s),
                      .orders = Scaled(250'000, s),
                      .order_items = Scaled(450'000, s),
                      .payments = Scaled(150'000, s),
                      .audit_events = Scaled(50'000, s)};
  PL_TRY(RemoveDatabaseFiles(path));
  if (Status status = Generate(path, options, counts); !status) {
    // Best effort: the generation error is the one worth reporting, not a failed cleanup.
    (void)RemoveDatabaseFiles(path);
    return Fail(std::move(status.error()));
  }
  DemoShopSummary summary;
  summary.table_rows = {{"customers", counts.customers}, {"products", counts.products},
                        {"orders", counts.orders},       {"order_items", counts.order_items},
                        {"payments", counts.payments},   {"audit_events", counts.audit_events}};
  for (const auto& [table, rows] : summary.table_rows) summary.total_rows += rows;
  return summary;
}

}  // namespace peerlock
