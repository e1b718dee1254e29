// Event triggers need superuser and belong to the platform on Supabase: written commented out,
// as the old system did.
#include "engine/schema/dump_builder.hpp"
#include "engine/schema/kinds/kind.hpp"
#include "engine/schema/kinds/own_rows.hpp"
#include "pgwire/quote.hpp"

namespace crm::engine::schema::kinds {
namespace {

using catalog::kPgEventTrigger;
using catalog::Oid;

void write(const std::vector<pg::Result>& rows, DumpBuilder& out) {
  const pg::Result& r = rows[0];
  for_each_own_row(r, out.catalog(), kPgEventTrigger, [&](int i, Oid) {
    std::string name(r.get(i, "evtname"));
    std::string sql = std::string(r.get(i, "def")) + "\n";
    if (r.get(i, "evtenabled") == "D") sql += "ALTER EVENT TRIGGER " + pg::quote_ident(name) + " DISABLE;\n";
    out.add({{kRankEventTrigger, "", name, ""}, kPost, "EVENT TRIGGER", "", name, "", sql, false}, {});
  });
}

}  // namespace

// Not in any schema, and never created by a restore (see above): nothing to drop.
Kind event_triggers() { return {"event_triggers", {{"event_triggers", Param::kNone}}, write, std::nullopt}; }

}  // namespace crm::engine::schema::kinds
