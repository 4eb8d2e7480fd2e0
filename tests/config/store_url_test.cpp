// Store URLs: the two forms, and passwords never shown.
#include "config/store_url.h"
#include "error_of.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace rawbackup {
namespace {

TEST(StoreUrl, SqliteNeedsAnAbsolutePath) {
  auto s = parse_store_url("sqlite:///var/lib/rawbackup/s.sqlite");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->kind, StoreKind::sqlite);
  EXPECT_EQ(s->path, "/var/lib/rawbackup/s.sqlite");
  EXPECT_FALSE(parse_store_url("sqlite://relative.sqlite"));
  EXPECT_EQ(error_of(parse_store_url("sqlite://x")).kind, ErrorKind::usage);
}

TEST(StoreUrl, PostgresqlIsHandedOnAndItsPasswordNoticed) {
  auto p = parse_store_url("postgresql://rawbackup@db.example.org:5432/rawbackup?sslmode=verify-full");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->kind, StoreKind::postgresql);
  EXPECT_FALSE(p->has_password);
  EXPECT_TRUE(parse_store_url("postgres://u:secret@h/db")->has_password);
  EXPECT_TRUE(parse_store_url("postgresql://u@h/db?sslmode=require&password=secret")->has_password);
  EXPECT_FALSE(parse_store_url("mysql://u@h/db"));
}

TEST(StoreUrl, RedactionHidesEveryPassword) {
  EXPECT_EQ(redact_store_url("postgresql://u:s3cr%40t@h:5432/db"), "postgresql://u:***@h:5432/db");
  EXPECT_EQ(redact_store_url("postgresql://u@h/db?password=x&sslmode=require"),
            "postgresql://u@h/db?password=***&sslmode=require");
  EXPECT_EQ(redact_store_url("postgresql://u@h/db"), "postgresql://u@h/db");
  auto bad = parse_store_url("mysql://u:hunter2@h/db");
  ASSERT_FALSE(bad);
  EXPECT_THAT(bad.error().message, ::testing::Not(::testing::HasSubstr("hunter2")));
}

}  // namespace
}  // namespace rawbackup
