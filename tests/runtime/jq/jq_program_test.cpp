// Tests for runtime/jq_program: compile errors, refused builtins, outputs,
// error(x), value conversion, the state pool and the program cache.
#include "runtime/jq/jq_program.hpp"

#include "runtime/json_text.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <cfloat>
#include <cstdint>
#include <limits>
#include <string>
#include <thread>
#include <vector>

namespace baley::runtime {
namespace {

namespace json = boost::json;

std::shared_ptr<jq_program> compiled(const std::string& code) {
  auto program = jq_program::compile(code);
  EXPECT_TRUE(program.has_value()) << code << ": " << (program ? "" : program.error().message);
  return program ? *program : nullptr;
}

std::string compile_error(const std::string& code) {
  auto program = jq_program::compile(code);
  EXPECT_FALSE(program.has_value()) << code;
  if (program) return {};
  EXPECT_EQ(program.error().code, "invalid_jq");
  return program.error().message;
}

json::value run_single(const std::string& code, const json::value& input) {
  auto program = compiled(code);
  if (!program) return nullptr;
  auto out = program->run_single(input);
  EXPECT_TRUE(out.has_value()) << code << ": " << (out ? "" : out.error().message);
  return out ? *out : json::value(nullptr);
}

baley::error run_error(const std::string& code, const json::value& input) {
  auto program = compiled(code);
  if (!program) return {};
  auto out = program->run(input);
  EXPECT_FALSE(out.has_value()) << code;
  return out ? baley::error{} : out.error();
}

TEST(jq_program, compile_errors_are_one_clean_line) {
  EXPECT_EQ(compile_error(".a | | .b"), "jq: syntax error, unexpected '|' at line 1");
  EXPECT_EQ(compile_error("foo(1)"), "jq: foo/1 is not defined at line 1");
  EXPECT_EQ(compile_error(".a |\n ]"), "jq: syntax error, unexpected INVALID_CHARACTER at line 2");
  EXPECT_EQ(compile_error("$x | $y"), "jq: $x is not defined at line 1; $y is not defined at line 1");
  EXPECT_EQ(compile_error("{a: 1"), "jq: syntax error, unexpected $end, expecting '}' at line 1");
  EXPECT_EQ(compile_error(std::string(".a\0.b", 5)), "jq: program contains a NUL byte");
}

TEST(jq_program, refuses_non_deterministic_builtins) {
  for (const char* code :
       {"now", "input", "[inputs]", "_input", "env", "env.HOME", "$ENV", "$ENV.PATH",
        "$ ENV", "{$ENV}", "input_filename", "input_line_number", "debug", "stderr",
        "halt", "halt_error", "halt_error(1)", "get_search_list", "get_prog_origin",
        "get_jq_origin", "$__loc__", "$ __loc__", "localtime", "strflocaltime(\"%H\")",
        "modulemeta", "import \"a\" as a; .", "include \"a\"; .", ". | now",
        "{a: now}", "{(now|tostring): 1}", "[.[] | now]", "\"t=\\(now)\"",
        "\"\\(\"\\(now)\")\"", "{a: if true, now then 1 else 2 end}", "1.now",
        "try now catch 0", "def now: 1; now", "reduce .[] as $x (0; now)",
        "# comment\nnow"}) {
    const auto message = compile_error(code);
    EXPECT_NE(message.find("is not allowed (programs must be deterministic)"), std::string::npos)
        << code << " -> " << message;
  }
  EXPECT_EQ(compile_error(".a |\n  now"),
            "jq: now is not allowed (programs must be deterministic) at line 2");
  EXPECT_EQ(compile_error("$ENV"),
            "jq: $ENV is not allowed (programs must be deterministic) at line 1");
}

TEST(jq_program, names_in_strings_fields_keys_and_comments_are_fine) {
  for (const char* code :
       {".now", ".a.env", "\"now\"", "\"input \\\" env\"", ".[\"now\"]", ".\"env\"",
        "{now: 1}", "{now}", "{a: 1, now: 2, env}", "{\"now\": .x}", "{if: 1, end: 2}",
        "{a: (if . then 1 else 2 end), now}", ". as $now | $now", ". as {now: $x} | $x",
        "# now\n.", ". # input | env", "def nowish: 1; nowish", "def _now: 1; _now", ".input_filename",
        ". as [$env, $input] | $env", "{a: [1, 2]} | {now: .a}", "\"\\(.now)\"",
        "@base64 \"\\(.input)\"", "1e5 | .env?", "{a: .x, \"b\": 1, now: 3}"}) {
    auto program = jq_program::compile(code);
    EXPECT_TRUE(program.has_value()) << code << " -> " << program.error().message;
  }
  EXPECT_EQ(run_single("{now: 1, env} | .now + .env", json::parse(R"({"env": 2})")), json::value(3));
}

TEST(jq_program, outputs_zero_one_or_many) {
  auto program = compiled(".[]");
  auto none = program->run(json::parse("[]"));
  ASSERT_TRUE(none.has_value());
  EXPECT_TRUE(none->empty());
  auto many = program->run(json::parse("[1, \"a\", null]"));
  ASSERT_TRUE(many.has_value());
  ASSERT_EQ(many->size(), 3u);
  EXPECT_EQ((*many)[1], json::value("a"));

  EXPECT_EQ(*program->run_single(json::parse("[]")), json::value(nullptr));
  EXPECT_EQ(*program->run_single(json::parse("[7]")), json::value(7));
  EXPECT_EQ(*program->run_single(json::parse("[1, 2]")), json::parse("[1, 2]"));
  EXPECT_EQ(run_single("empty", json::value(1)), json::value(nullptr));
  EXPECT_EQ(run_single("", json::parse(R"({"a": 1})")), json::parse(R"({"a": 1})"));
}

TEST(jq_program, conformance_style_programs) {
  auto in = json::parse(R"({"order": {"items": [{"price": 2, "qty": 3}, {"price": 1.5, "qty": 2}]}})");
  EXPECT_TRUE(json_equal(run_single("{xs: .order.items | map(.price * .qty)} | {total: (.xs | add)}", in),
                         json::parse(R"({"total": 9})")));
  EXPECT_EQ(run_single("{text: (.text|ascii_upcase), n: (.n*2)}", json::parse(R"({"text": "hi", "n": 2})")),
            json::parse(R"({"text": "HI", "n": 4})"));
}

TEST(jq_program, error_with_a_string_is_its_message) {
  auto e = run_error("if .ok then . else error(\"bad input: ok is false\") end",
                     json::parse(R"({"ok": false})"));
  EXPECT_EQ(e.code, "jq_error");
  EXPECT_EQ(e.message, "bad input: ok is false");
  EXPECT_FALSE(jq_error_is_retryable(e));
}

TEST(jq_program, builtin_errors_are_jq_errors) {
  auto e = run_error(".a", json::value(1));
  EXPECT_EQ(e.code, "jq_error");
  EXPECT_EQ(e.message, "Cannot index number with string \"a\"");
}

TEST(jq_program, error_with_an_object_is_its_json) {
  auto e = run_error("error({code: 42, why: [\"x\"]})", nullptr);
  EXPECT_EQ(e.code, "jq_error");
  EXPECT_EQ(e.message, R"({"code":42,"why":["x"]})");
  EXPECT_EQ(run_error("error(1.5)", nullptr).message, "1.5E0");
  EXPECT_EQ(run_error("error({retryable: false, message: \"m\"})", nullptr).code, "jq_error");
}

TEST(jq_program, retryable_errors_are_marked) {
  auto e = run_error("error({retryable: true, message: \"upstream busy\"})", nullptr);
  EXPECT_EQ(e.code, "jq_error_retryable");
  EXPECT_EQ(e.message, "upstream busy");
  EXPECT_TRUE(jq_error_is_retryable(e));
  auto bare = run_error("error({retryable: true})", nullptr);
  EXPECT_EQ(bare.code, "jq_error_retryable");
  EXPECT_EQ(bare.message, R"({"retryable":true})");
}

TEST(jq_program, errors_are_catchable_inside_jq) {
  EXPECT_EQ(run_single("try error(\"x\") catch (. + \"!\")", nullptr), json::value("x!"));
  EXPECT_EQ(run_single("[.[] | try (if . == 2 then error(\"two\") else . end) catch \"c\"]",
                       json::parse("[1, 2, 3]")),
            json::parse(R"([1, "c", 3])"));
}

TEST(jq_program, error_null_is_empty_in_jq_1_6) {
  EXPECT_EQ(run_single("[1, error(null), 2]", nullptr), json::parse("[1, 2]"));
  auto out = compiled("error(null)")->run(nullptr);
  ASSERT_TRUE(out.has_value());
  EXPECT_TRUE(out->empty());
}

TEST(jq_program, a_program_runs_again_after_an_error) {
  auto program = compiled("if . then error(\"no\") else 1 end");
  EXPECT_FALSE(program->run(json::value(true)).has_value());
  EXPECT_EQ(*program->run_single(json::value(false)), json::value(1));
  EXPECT_FALSE(program->run(json::value(true)).has_value());
  EXPECT_EQ(program->compiled_states(), 1u);
}

TEST(jq_program, values_round_trip) {
  const char* text = R"({"z": 1, "a": [true, false, null, -7, 0.25, "s"],
    "nested": {"deeper": {"list": [[[]], {}], "e": ""}}, "big": 1e300, "neg": -1.5e-10})";
  auto in = json::parse(text);
  auto out = run_single(".", in);
  EXPECT_EQ(out, in);
  // jq keeps insertion order; the conversion keeps jq's order.
  EXPECT_EQ(to_json_text(run_single("{b: 1, a: 2} | .c = 3", nullptr)), R"({"b":1,"a":2,"c":3})");
}

TEST(jq_program, unicode_round_trips) {
  json::value in = "h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80 \"q\" \\ \n\t";
  EXPECT_EQ(run_single(".", in), in);
  EXPECT_EQ(run_single("length", in), json::value(18));
  EXPECT_EQ(run_single("{(.): 1} | keys[0]", in), in);
  json::value with_nul(json::string("a\0b", 3));
  EXPECT_EQ(run_single(".", with_nul), with_nul);
  EXPECT_EQ(run_single("\"\\u00e9\"", nullptr), json::value("\xc3\xa9"));
}

TEST(jq_program, integral_numbers_come_back_as_int64) {
  auto out = run_single("[., . * 2, 1.0, -0, 3 / 2, 1e18, 1e19, -9.5]", json::value(21));
  ASSERT_TRUE(out.is_array());
  const auto& a = out.as_array();
  EXPECT_TRUE(a[0].is_int64());
  EXPECT_EQ(a[1], json::value(std::int64_t{42}));
  EXPECT_TRUE(a[2].is_int64());
  EXPECT_TRUE(a[3].is_int64());
  EXPECT_EQ(a[4], json::value(1.5));
  EXPECT_EQ(a[5], json::value(std::int64_t{1000000000000000000}));
  EXPECT_TRUE(a[6].is_double());  // beyond int64
  EXPECT_EQ(a[7], json::value(-9.5));
}

TEST(jq_program, big_numbers_are_doubles_inside_jq) {
  // libjq 1.6 has only doubles: integers beyond 2^53 lose precision.
  EXPECT_EQ(run_single(".", json::value(std::int64_t{9007199254740993})),
            json::value(std::int64_t{9007199254740992}));
  EXPECT_EQ(run_single(".", json::value(std::numeric_limits<std::int64_t>::min())),
            json::value(std::numeric_limits<std::int64_t>::min()));
  auto max_u = run_single(".", json::value(std::numeric_limits<std::uint64_t>::max()));
  ASSERT_TRUE(max_u.is_double());
  EXPECT_EQ(max_u.as_double(), 18446744073709551616.0);
}

TEST(jq_program, nan_and_infinity_come_back_as_jq_prints_them) {
  EXPECT_EQ(run_single("nan", nullptr), json::value(nullptr));
  EXPECT_EQ(run_single("infinite", nullptr), json::value(DBL_MAX));
  EXPECT_EQ(run_single("-infinite", nullptr), json::value(-DBL_MAX));
}

TEST(jq_program, too_deep_outputs_are_refused) {
  auto e = run_error("reduce range(1000) as $i (0; [.])", nullptr);
  EXPECT_EQ(e.code, "jq_error");
  EXPECT_NE(e.message.find("nested deeper than"), std::string::npos);
  EXPECT_TRUE(run_single("reduce range(100) as $i (0; [.])", nullptr).is_array());
}

TEST(jq_program, sequential_runs_reuse_one_state) {
  auto program = compiled(".x + 1");
  for (int i = 0; i < 50; ++i) {
    auto out = program->run_single(json::value({{"x", i}}));
    ASSERT_TRUE(out.has_value());
    EXPECT_EQ(*out, json::value(i + 1));
  }
  EXPECT_EQ(program->compiled_states(), 1u);
}

TEST(jq_program, concurrent_runs_are_correct) {
  auto program = compiled("[.xs[] * .k] | add");
  constexpr int threads = 4;
  constexpr int runs = 200;
  std::vector<int> failures(threads, 0);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (int i = 0; i < runs; ++i) {
        const std::int64_t k = t * 1000 + i;
        json::value in = {{"k", k}, {"xs", {k, k + 1, k + 2}}};
        auto out = program->run_single(in);
        if (!out || *out != json::value(k * (3 * k + 3))) ++failures[t];
      }
    });
  }
  for (auto& th : pool) th.join();
  for (int t = 0; t < threads; ++t) EXPECT_EQ(failures[t], 0) << "thread " << t;
  EXPECT_GE(program->compiled_states(), 1u);
  EXPECT_LE(program->compiled_states(), static_cast<std::size_t>(threads));
}

TEST(jq_program, concurrent_compiles_and_regex_runs_are_correct) {
  std::vector<int> failures(4, 0);
  std::vector<std::thread> pool;
  for (int t = 0; t < 4; ++t) {
    pool.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        auto program = jq_program::compile("[.[] | select(test(\"^a[0-9]+$\"))] | length");
        if (!program) { ++failures[t]; continue; }
        auto out = (*program)->run_single(json::parse(R"(["a1", "b2", "a33", "a"])"));
        if (!out || *out != json::value(2)) ++failures[t];
      }
    });
  }
  for (auto& th : pool) th.join();
  for (int t = 0; t < 4; ++t) EXPECT_EQ(failures[t], 0) << "thread " << t;
}

TEST(jq_cache, compiles_each_text_once) {
  jq_cache cache;
  auto a = cache.get(".a");
  auto b = cache.get(".b");
  auto a_again = cache.get(".a");
  ASSERT_TRUE(a && b && a_again);
  EXPECT_EQ(a->get(), a_again->get());
  EXPECT_NE(a->get(), b->get());
  EXPECT_EQ(cache.compiles(), 2u);
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(*(*a)->run_single(json::parse(R"({"a": 5})")), json::value(5));
}

TEST(jq_cache, errors_are_returned_and_not_kept) {
  jq_cache cache;
  auto bad = cache.get(".a | | .b");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, "invalid_jq");
  auto refused = cache.get("now");
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(cache.size(), 0u);
}

TEST(jq_cache, concurrent_gets_share_one_program) {
  jq_cache cache;
  std::vector<std::thread> pool;
  std::vector<const jq_program*> seen(4, nullptr);
  for (int t = 0; t < 4; ++t)
    pool.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        auto p = cache.get("{v: .}");
        if (p) seen[t] = p->get();
      }
    });
  for (auto& th : pool) th.join();
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_LE(cache.compiles(), 4u);
  auto kept = cache.get("{v: .}");
  for (auto* p : seen) EXPECT_NE(p, nullptr);
  EXPECT_EQ(*(*kept)->run_single(json::value(1)), json::parse(R"({"v": 1})"));
}

} // namespace
} // namespace baley::runtime
