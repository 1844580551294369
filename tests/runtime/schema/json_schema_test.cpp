// Tests for runtime/json_schema (and the messages of schema_failures): the
// keywords a flow's inputSchema uses, the path and reason of a failure,
// schemas that do not compile, the bounds that keep hostile input cheap.
// The official test suite runs in json_schema_suite_test.cpp.
#include "runtime/schema/json_schema.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <string>
#include <thread>
#include <vector>

namespace baley::runtime {
namespace {

namespace json = boost::json;

std::shared_ptr<const json_schema> schema_of(std::string_view text) {
  auto compiled = json_schema::compile(json::parse(text));
  EXPECT_TRUE(compiled) << text << ": " << compiled.error().message;
  return compiled ? *compiled : nullptr;
}

// "" when valid, else the message.
std::string check(std::string_view schema, std::string_view instance) {
  auto compiled = schema_of(schema);
  if (!compiled)
    return "(schema did not compile)";
  auto verdict = compiled->validate(json::parse(instance));
  if (verdict)
    return "";
  EXPECT_EQ(verdict.error().code, "invalid_input");
  EXPECT_TRUE(verdict.error().node_id.empty());
  return verdict.error().message;
}

std::string compile_error(std::string_view schema) {
  auto compiled = json_schema::compile(json::parse(schema));
  if (compiled)
    return "(compiled)";
  EXPECT_EQ(compiled.error().code, "invalid_schema");
  return compiled.error().message;
}

TEST(json_schema, type) {
  EXPECT_EQ(check(R"({"type":"string"})", R"("x")"), "");
  EXPECT_EQ(check(R"({"type":"string"})", "5"), "input: expected string, got number");
  EXPECT_EQ(check(R"({"type":["string","null"]})", "null"), "");
  EXPECT_EQ(check(R"({"type":["string","null"]})", "true"),
            "input: expected string or null, got boolean");
  EXPECT_EQ(check(R"({"type":"integer"})", "3"), "");
  EXPECT_EQ(check(R"({"type":"integer"})", "3.5"), "input: expected integer, got number");
  EXPECT_EQ(check(R"({"type":"number"})", "3"), "");
  EXPECT_EQ(check(R"({"type":"object"})", "[]"), "input: expected object, got array");
}

TEST(json_schema, required_and_properties) {
  auto schema = R"({"type":"object","required":["name","age"],
    "properties":{"name":{"type":"string"},"age":{"type":"integer","minimum":0}}})";
  EXPECT_EQ(check(schema, R"({"name":"a","age":3,"extra":true})"), "");
  EXPECT_EQ(check(schema, R"({"name":"a"})"), "input: missing required property 'age'");
  EXPECT_EQ(check(schema, R"({"name":5,"age":3})"), "input.name: expected string, got number");
  EXPECT_EQ(check(schema, R"({"name":"a","age":-1})"),
            "input.age: expected number greater than or equal to 0, got -1");
}

TEST(json_schema, additional_properties) {
  auto schema = R"({"properties":{"a":{}},"additionalProperties":false})";
  EXPECT_EQ(check(schema, R"({"a":1})"), "");
  EXPECT_EQ(check(schema, R"({"a":1,"b":2})"), "input: property 'b' is not allowed");
  EXPECT_EQ(check(R"({"additionalProperties":{"type":"number"}})", R"({"x":"1"})"),
            "input.x: expected number, got string");
}

TEST(json_schema, items_and_paths_into_arrays) {
  auto schema = R"({"type":"object","properties":{"items":{"type":"array",
    "items":{"type":"object","required":["price"],"properties":{"price":{"type":"number"}}}}}})";
  EXPECT_EQ(check(schema, R"({"items":[{"price":1},{"price":2.5}]})"), "");
  EXPECT_EQ(check(schema, R"({"items":[{"price":1},{"price":2},{"price":"3"}]})"),
            "input.items[2].price: expected number, got string");
  EXPECT_EQ(check(R"({"items":[{"type":"string"},{"type":"integer"}]})", R"(["a","b"])"),
            "input[1]: expected integer, got string");
  EXPECT_EQ(check(R"({"minItems":2,"maxItems":3})", "[1]"),
            "input: array should contain no fewer than 2 elements");
}

TEST(json_schema, a_key_that_looks_like_an_index_is_a_key) {
  EXPECT_EQ(check(R"({"properties":{"2":{"type":"string"}}})", R"({"2":2})"),
            "input[\"2\"]: expected string, got number");
  EXPECT_EQ(check(R"({"properties":{"a b":{"type":"string"}}})", R"({"a b":2})"),
            "input[\"a b\"]: expected string, got number");
}

TEST(json_schema, enum_and_const) {
  EXPECT_EQ(check(R"({"enum":["red","green"]})", R"("green")"), "");
  EXPECT_EQ(check(R"({"enum":["red","green"]})", R"("blue")"),
            R"(input: expected one of ["red","green"], got "blue")");
  EXPECT_EQ(check(R"({"const":1})", "1.0"), "");
  EXPECT_EQ(check(R"({"const":1})", "2"), "input: expected 1, got 2");
}

TEST(json_schema, numbers) {
  EXPECT_EQ(check(R"({"minimum":1.5,"maximum":3})", "3"), "");
  EXPECT_EQ(check(R"({"maximum":3})", "3.25"),
            "input: expected number less than or equal to 3, got 3.25");
  EXPECT_EQ(check(R"({"exclusiveMinimum":0})", "0"), "input: expected number greater than 0, got 0");
  EXPECT_EQ(check(R"({"multipleOf":0.5})", "1.5"), "");
  EXPECT_EQ(check(R"({"multipleOf":2})", "3"), "input: value should be a multiple of 2, got 3");
}

TEST(json_schema, integers_above_int64_are_numbers) {
  EXPECT_EQ(check(R"({"type":"number","minimum":0})", "18446744073709551615"), "");
  EXPECT_NE(check(R"({"maximum":10})", "18446744073709551615"), "");
}

TEST(json_schema, strings) {
  EXPECT_EQ(check(R"({"minLength":2,"maxLength":3})", R"("ab")"), "");
  EXPECT_EQ(check(R"({"minLength":2})", R"("a")"),
            "input: string should be no fewer than 2 characters in length");
  EXPECT_EQ(check(R"({"minLength":2})", R"("é")"), "input: string should be no fewer than 2 "
                                                   "characters in length") << "code points";
  EXPECT_EQ(check(R"({"pattern":"^[a-z]+-\\d+$"})", R"("abc-12")"), "");
  EXPECT_EQ(check(R"({"pattern":"^[a-z]+-\\d+$"})", R"("ABC")"),
            R"(input: does not match pattern "^[a-z]+-\\d+$", got "ABC")");
  EXPECT_EQ(check(R"({"pattern":"b"})", R"("abc")"), "") << "a search, not a full match";
}

TEST(json_schema, any_of_one_of_all_of_not) {
  auto any = R"({"anyOf":[{"type":"string"},{"type":"number"}]})";
  EXPECT_EQ(check(any, "1"), "");
  EXPECT_EQ(check(any, "true"),
            "input: expected string or number, got boolean; input: matches none of the anyOf schemas");
  auto one = R"({"oneOf":[{"type":"integer"},{"minimum":2}]})";
  EXPECT_EQ(check(one, "1"), "");
  EXPECT_EQ(check(one, "3"), "input: matches more than one of the oneOf schemas");
  EXPECT_EQ(check(R"({"allOf":[{"minimum":1},{"maximum":2}]})", "3"),
            "input: expected number less than or equal to 2, got 3");
  EXPECT_EQ(check(R"({"not":{"type":"null"}})", "null"), "input: must not match the 'not' schema");
}

TEST(json_schema, local_refs) {
  auto schema = R"({"definitions":{"price":{"type":"number","minimum":0}},
    "type":"object","properties":{"total":{"$ref":"#/definitions/price"},
    "lines":{"type":"array","items":{"$ref":"#/definitions/price"}}}})";
  EXPECT_EQ(check(schema, R"({"total":3,"lines":[1,2]})"), "");
  EXPECT_EQ(check(schema, R"({"total":3,"lines":[1,"2"]})"),
            "input.lines[1]: expected number, got string");
  auto tree = R"({"type":"object","properties":{"children":{"type":"array","items":{"$ref":"#"}},
    "name":{"type":"string"}}})";
  EXPECT_EQ(check(tree, R"({"name":"a","children":[{"name":"b","children":[{"name":3}]}]})"),
            "input.children[0].children[0].name: expected string, got number");
}

TEST(json_schema, boolean_schemas) {
  EXPECT_EQ(check("true", "1"), "");
  EXPECT_EQ(check("false", "1"), "input: does not match the schema");
  EXPECT_EQ(check(R"({"properties":{"a":false}})", R"({"a":1})"), "input: property 'a' is not allowed");
}

TEST(json_schema, several_failures_are_joined_and_counted) {
  auto schema = R"({"type":"array","items":{"type":"string"}})";
  EXPECT_EQ(check(schema, R"(["a",1,2,3,4])"),
            "input[1]: expected string, got number; input[2]: expected string, got number; "
            "input[3]: expected string, got number (and 1 more)");
}

TEST(json_schema, the_root_is_named_by_the_caller) {
  auto schema = schema_of(R"({"type":"string"})");
  auto verdict = schema->validate(json::value(1), "body");
  ASSERT_FALSE(verdict);
  EXPECT_EQ(verdict.error().message, "body: expected string, got number");
}

TEST(json_schema, format_is_an_annotation) {
  EXPECT_EQ(check(R"({"format":"date-time"})", R"("not a date")"), "");
  EXPECT_EQ(check(R"({"properties":{"format":{"type":"string"}}})", R"({"format":1})"),
            "input.format: expected string, got number")
    << "a property named format stays";
}

TEST(json_schema, draft4_when_the_schema_says_so) {
  auto draft4 = R"({"$schema":"http://json-schema.org/draft-04/schema#",
    "maximum":3,"exclusiveMaximum":true})";
  EXPECT_NE(check(draft4, "3"), "");
  EXPECT_EQ(check(draft4, "2"), "");
}

TEST(json_schema, invalid_schemas) {
  EXPECT_EQ(compile_error("[1]"), "a JSON Schema is an object or a boolean, not [1]");
  EXPECT_EQ(compile_error("\"string\""), R"(a JSON Schema is an object or a boolean, not "string")");
  EXPECT_NE(compile_error(R"({"type":"objekt"})").find("objekt"), std::string::npos);
  EXPECT_NE(compile_error(R"({"minimum":"x"})"), "(compiled)");
  EXPECT_NE(compile_error(R"({"required":"a"})"), "(compiled)");
  EXPECT_NE(compile_error(R"({"$ref":"#/definitions/missing"})"), "(compiled)");
  EXPECT_NE(compile_error(R"({"$ref":"http://example.com/schema"})").find("remote"),
            std::string::npos);
  EXPECT_NE(compile_error(R"({"pattern":"("})").find("not a supported regular expression"),
            std::string::npos);
  EXPECT_NE(compile_error(R"({"patternProperties":{"[":{}}})"), "(compiled)");
  EXPECT_NE(compile_error(R"({"pattern":"(a)\\1"})"), "(compiled)") << "back-references";
  EXPECT_EQ(compile_error(R"({"enum":[{"pattern":"("}]})"), "(compiled)") << "data, not a regex";
}

TEST(json_schema, references_that_loop_without_descending_do_not_compile) {
  for (auto schema : {R"({"$ref":"#"})", R"({"allOf":[{"$ref":"#"}]})",
                      R"({"anyOf":[{"type":"string"},{"$ref":"#"}]})",
                      R"({"definitions":{"a":{"$ref":"#/definitions/b"},
                          "b":{"not":{"$ref":"#/definitions/a"}}},
                          "properties":{"x":{"$ref":"#/definitions/a"}}})",
                      R"({"definitions":{"a%b":{"$ref":"#/definitions/a%25b"}},
                          "$ref":"#/definitions/a%25b"})"})
    EXPECT_NE(compile_error(schema).find("refers to itself"), std::string::npos) << schema;
  EXPECT_EQ(compile_error(R"({"properties":{"next":{"$ref":"#"}}})"), "(compiled)")
    << "recursion through a property descends into the input";
  EXPECT_EQ(compile_error(R"({"properties":{"$ref":{"type":"string"}}})"), "(compiled)")
    << "a property named $ref";
}

TEST(json_schema, a_long_string_against_a_pattern_does_not_exhaust_the_stack) {
  std::string text(1'000'000, 'a');
  auto schema = schema_of(R"({"pattern":"^(a|b)*$"})");
  EXPECT_TRUE(schema->validate(json::value(text)));
  EXPECT_FALSE(schema->validate(json::value(text + "c")));
  auto names = schema_of(R"({"propertyNames":{"pattern":"^a*$"}})");
  json::object o;
  o[text] = 1;
  EXPECT_TRUE(names->validate(o));
}

TEST(json_schema, costly_keywords_have_bounds) {
  auto props = schema_of(R"({"patternProperties":{"^a*$":{"type":"integer"}}})");
  json::object o;
  o[std::string(2000, 'a')] = 1;
  auto long_name = props->validate(o);
  ASSERT_FALSE(long_name);
  EXPECT_NE(long_name.error().message.find("too long to check against patternProperties"),
            std::string::npos);

  auto unique = schema_of(R"({"properties":{"tags":{"uniqueItems":true}}})");
  json::array many(6000, json::value(1));
  auto too_many = unique->validate(json::object{{"tags", many}});
  ASSERT_FALSE(too_many);
  EXPECT_NE(too_many.error().message.find("input.tags: 6000 items are too many"), std::string::npos)
    << too_many.error().message;
  json::array some(1000, json::value(1));
  auto equal = unique->validate(json::object{{"tags", some}});
  ASSERT_FALSE(equal);
  EXPECT_NE(equal.error().message.find("does not match the schema"), std::string::npos);
  EXPECT_EQ(check(R"({"uniqueItems":true})", "[1,2,1]"), "input: items [0] and [2] are equal");
}

TEST(json_schema, messages_stay_short_whatever_the_input) {
  std::string huge(1'000'000, 'k');
  auto closed = schema_of(R"({"additionalProperties":false})");
  auto extra = closed->validate(json::object{{huge, 1}});
  ASSERT_FALSE(extra);
  EXPECT_LT(extra.error().message.size(), 200u) << extra.error().message.substr(0, 300);
  auto typed = schema_of(R"({"additionalProperties":{"type":"string"}})");
  auto deep = typed->validate(json::object{{huge, 1}});
  ASSERT_FALSE(deep);
  EXPECT_EQ(deep.error().message.rfind("input[\"kkk", 0), 0u);
  EXPECT_LT(deep.error().message.size(), 200u);
  auto strings = schema_of(R"({"type":"array","items":{"enum":["a"]}})");
  auto many = strings->validate(json::array(100'000, json::value(huge.substr(0, 1000))));
  ASSERT_FALSE(many);
  EXPECT_LT(many.error().message.size(), 1000u);
  EXPECT_NE(many.error().message.find("(and 99997 more)"), std::string::npos);
}

TEST(json_schema, one_compiled_schema_validates_on_many_threads) {
  auto schema = schema_of(R"({"type":"object","properties":{"id":{"type":"string",
    "pattern":"^[a-z]+[0-9]*$"}},"required":["id"]})");
  std::vector<std::thread> threads;
  std::vector<int> wrong(4, 0);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        bool valid = i % 2 == 0;
        json::value input = json::object{{"id", valid ? "abc" + std::to_string(i) : "9"}};
        wrong[t] += schema->validate(input).has_value() != valid;
      }
    });
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(wrong, std::vector<int>(4, 0));
}

} // namespace
} // namespace baley::runtime
