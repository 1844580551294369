// Decisions and feedback (API.md, "Decisions and feedback"): decisions are
// read from their projections on a reader; feedback is a feedback_given event
// appended with the decision row it changes, one writer per decision at a
// time (an expected index; a lost race reads again and retries).
#pragma once

#include "actors/engine.hpp"
#include "http/auth.hpp"
#include "http/catalog_store.hpp"
#include "runtime/insight/decision.hpp"

namespace baley::http {

class decision_routes {
public:
  struct parts {
    catalog_store& catalog;
    actors::engine& engine;
    api_async& async;
  };
  explicit decision_routes(parts p) : p_(p) {}

  void list(const api_call_ptr& call, const authenticated& who);
  void get(const api_call_ptr& call, const authenticated& who);
  void feedback(const api_call_ptr& call, const authenticated& who);
  void categories(const api_call_ptr& call, const authenticated& who);
  void category_create(const api_call_ptr& call, const authenticated& who);
  void category_delete(const api_call_ptr& call, const authenticated& who);

private:
  void save_feedback(const api_call_ptr& call, const authenticated& who,
                     runtime::feedback given, int attempts_left);

  parts p_;
};

} // namespace baley::http
