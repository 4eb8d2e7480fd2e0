#include "model/store/empty_store.h"

namespace rawbackup {
namespace {

class EmptyStore final : public RecordStore {
 public:
  EmptyStore(std::string location, Actor actor, StoreHealth health)
      : location_(std::move(location)), actor_(std::move(actor)), health_(std::move(health)) {}

  std::string location() const override { return location_; }
  const Actor& actor() const override { return actor_; }
  Result<StoreHealth> health() override { return health_; }
  Result<std::optional<RawFile>> get(const std::string&) override { return std::optional<RawFile>{}; }
  Status insert(const RawFile&, const std::string&) override { return read_only(); }
  Result<RecordRow> update(const std::string&, const RecordChange&) override {
    return std::unexpected(read_only().error());
  }
  Result<std::vector<Event>> history(const std::string&) override { return std::vector<Event>{}; }
  Status list_rows(const RecordQuery&, const RowVisitor&) override { return {}; }
  Result<std::vector<std::string>> list_ids(const RecordFilter&) override { return std::vector<std::string>{}; }
  Result<uint64_t> count(const RecordFilter&) override { return uint64_t{0}; }
  Result<StoreSummary> summarize(const RecordFilter&, size_t) override { return StoreSummary{}; }
  Result<std::map<std::string, uint64_t>> count_failures(const std::string&) override {
    return std::map<std::string, uint64_t>{};
  }
  Result<std::unique_ptr<RecordLock>> lock(const std::string&, const LockOptions&) override {
    return std::unexpected(read_only().error());
  }
  Status import(const std::vector<StoredRecord>&) override { return read_only(); }
  Status rows_named(const std::vector<std::string>&, const RowVisitor&) override { return {}; }
  Result<std::vector<Sighting>> sightings(const std::string&) override { return std::vector<Sighting>{}; }
  Status save_sightings(const std::string&, const std::vector<Sighting>&, const std::vector<std::string>&) override {
    return read_only();
  }

 private:
  Status read_only() const { return fail(ErrorKind::usage, "record store " + location_ + " is open read-only"); }

  std::string location_;
  Actor actor_;
  StoreHealth health_;
};

}  // namespace

std::unique_ptr<RecordStore> make_empty_store(std::string location, Actor actor, StoreHealth health) {
  return std::make_unique<EmptyStore>(std::move(location), std::move(actor), std::move(health));
}

}  // namespace rawbackup
