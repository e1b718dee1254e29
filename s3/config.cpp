#include "s3/config.hpp"

#include <cstdlib>

#include <fmt/format.h>

#include "s3/profile_files.hpp"

namespace crm::s3 {
namespace {

std::optional<std::string> non_empty(const EnvLookup& env, const char* name) {
  auto v = env(name);
  if (v && v->empty()) return std::nullopt;
  return v;
}

std::optional<std::string> value_of(const IniSection* s, const std::string& key) {
  if (!s) return std::nullopt;
  auto it = s->find(key);
  if (it == s->end() || it->second.empty()) return std::nullopt;
  return it->second;
}

std::string normalize_endpoint(std::string url) {
  if (!url.starts_with("https://") && !url.starts_with("http://"))
    throw ConfigError("the S3 endpoint URL '" + url + "' must start with https:// or http://");
  while (url.ends_with("/")) url.pop_back();
  std::size_t host = url.find("://") + 3;
  if (url.size() == host || url.find_first_of("?#@ ", host) != std::string::npos)
    throw ConfigError("the S3 endpoint URL '" + url + "' must be scheme://host[:port][/path], without query or user");
  return url;
}

bool truthy(const std::optional<std::string>& v) {
  if (!v) return false;
  std::string s = *v;
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s == "true" || s == "1" || s == "yes";
}

}  // namespace

EnvLookup process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
}

UrlStyle parse_url_style(std::string_view text) {
  if (text == "path") return UrlStyle::kPath;
  if (text == "virtual") return UrlStyle::kVirtual;
  if (text == "auto") return UrlStyle::kAuto;
  throw ConfigError("unknown S3 URL style '" + std::string(text) + "' (use path or virtual)");
}

std::string mask_access_key(std::string_view key) {
  if (key.size() <= 4) return std::string(key.size(), '*');
  return std::string(key.size() - 4, '*') + std::string(key.substr(key.size() - 4));
}

std::string S3Config::describe() const {
  std::string where = endpoint.empty() ? fmt::format("AWS S3 ({})", region) : endpoint;
  return fmt::format("s3://{}/{} at {} (region {}, {} URLs), access key {} from {}{}", location.bucket,
                     location.prefix, where, region, url_style == UrlStyle::kVirtual ? "virtual-hosted" : "path-style",
                     mask_access_key(credentials.access_key_id), credentials.source,
                     credentials.session_token.empty() ? "" : " with a session token");
}

S3Config resolve_config(const Location& location, const EnvLookup& env, const ConfigOverrides& ov) {
  S3Config cfg;
  cfg.location = location;

  auto home = non_empty(env, "HOME");
  auto default_path = [&](const char* file) -> std::string {
    return home ? *home + "/.aws/" + file : std::string();
  };
  std::string cred_path = non_empty(env, "AWS_SHARED_CREDENTIALS_FILE").value_or(default_path("credentials"));
  std::string conf_path = non_empty(env, "AWS_CONFIG_FILE").value_or(default_path("config"));
  IniFile cred_file = cred_path.empty() ? IniFile{} : read_ini_file(cred_path);
  IniFile conf_file = conf_path.empty() ? IniFile{} : read_ini_file(conf_path);

  std::optional<std::string> named = ov.profile;
  if (!named) named = non_empty(env, "AWS_PROFILE");
  if (!named) named = non_empty(env, "AWS_DEFAULT_PROFILE");
  std::string profile = named.value_or("default");
  const IniSection* cred_sec = credentials_section(cred_file, profile);
  const IniSection* conf_sec = config_section(conf_file, profile);
  if (named && !cred_sec && !conf_sec)
    throw ConfigError(fmt::format("the AWS profile '{}' is in neither {} nor {}", profile,
                                  cred_path.empty() ? "~/.aws/credentials" : cred_path,
                                  conf_path.empty() ? "~/.aws/config" : conf_path));

  // Credentials: the environment unless a profile was chosen explicitly (as `aws --profile`).
  auto env_id = non_empty(env, "AWS_ACCESS_KEY_ID");
  auto env_secret = non_empty(env, "AWS_SECRET_ACCESS_KEY");
  if (!ov.profile && (env_id || env_secret)) {
    if (!env_id || !env_secret)
      throw ConfigError(fmt::format("{} is set but {} is not: set both, or neither to use a profile",
                                    env_id ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
                                    env_id ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID"));
    cfg.credentials = {*env_id, *env_secret,
                       non_empty(env, "AWS_SESSION_TOKEN").value_or(non_empty(env, "AWS_SECURITY_TOKEN").value_or("")),
                       "environment"};
  } else {
    for (auto [sec, path] : {std::pair{cred_sec, &cred_path}, std::pair{conf_sec, &conf_path}}) {
      auto id = value_of(sec, "aws_access_key_id");
      auto secret = value_of(sec, "aws_secret_access_key");
      if (!id && !secret) continue;
      if (!id || !secret)
        throw ConfigError(fmt::format("the AWS profile '{}' in {} has only one of aws_access_key_id and "
                                      "aws_secret_access_key",
                                      profile, *path));
      cfg.credentials = {*id, *secret, value_of(sec, "aws_session_token").value_or(""),
                         fmt::format("profile {} ({})", profile, *path)};
      break;
    }
    if (cfg.credentials.access_key_id.empty()) {
      bool other_kind = value_of(conf_sec, "role_arn") || value_of(conf_sec, "sso_session") ||
                        value_of(conf_sec, "sso_start_url") || value_of(conf_sec, "credential_process");
      throw ConfigError(fmt::format(
          "no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or put aws_access_key_id and "
          "aws_secret_access_key in the profile '{}' of {}{}",
          profile, cred_path.empty() ? "~/.aws/credentials" : cred_path,
          other_kind ? " (roles, SSO and credential_process are not supported: export temporary keys, e.g. with "
                       "`aws configure export-credentials --format env`)"
                     : ""));
    }
  }

  if (ov.region) cfg.region = *ov.region;
  else if (auto r = non_empty(env, "AWS_REGION")) cfg.region = *r;
  else if (auto d = non_empty(env, "AWS_DEFAULT_REGION")) cfg.region = *d;
  else if (auto p = value_of(conf_sec, "region")) cfg.region = *p;

  std::optional<std::string> endpoint = ov.endpoint;
  if (!endpoint && !truthy(env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"))) {
    endpoint = non_empty(env, "AWS_ENDPOINT_URL_S3");
    if (!endpoint) endpoint = non_empty(env, "AWS_ENDPOINT_URL");
    if (!endpoint) endpoint = value_of(conf_sec, "s3.endpoint_url");
    if (!endpoint) endpoint = value_of(conf_sec, "endpoint_url");
  }
  if (endpoint) cfg.endpoint = normalize_endpoint(*endpoint);

  UrlStyle style = UrlStyle::kAuto;
  if (ov.url_style) style = *ov.url_style;
  else if (auto s = value_of(conf_sec, "s3.addressing_style")) style = parse_url_style(*s);
  if (style == UrlStyle::kAuto) {
    // A custom endpoint (MinIO, Ceph, Supabase) rarely has a wildcard DNS name per bucket; AWS
    // itself wants virtual-hosted URLs unless the bucket name cannot be a host name.
    style = !cfg.endpoint.empty() || !dns_compatible_bucket(location.bucket) ? UrlStyle::kPath : UrlStyle::kVirtual;
  }
  cfg.url_style = style;
  return cfg;
}

}  // namespace crm::s3
