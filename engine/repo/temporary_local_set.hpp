#pragma once
// A set's files in a private temporary folder (a remote set fetched, an encrypted set
// decrypted), removed with everything in it when the reader is done.
#include <filesystem>
#include <system_error>
#include <utility>

#include "engine/repo/repository.hpp"

namespace crm::engine::repo {

class TemporaryLocalSet final : public LocalSet {
 public:
  TemporaryLocalSet(std::filesystem::path dir, SetInfo set) : dir_(std::move(dir)), set_(std::move(set)) {}
  ~TemporaryLocalSet() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  TemporaryLocalSet(const TemporaryLocalSet&) = delete;
  TemporaryLocalSet& operator=(const TemporaryLocalSet&) = delete;
  const SetInfo& set() const override { return set_; }

 private:
  std::filesystem::path dir_;
  SetInfo set_;
};

}  // namespace crm::engine::repo
