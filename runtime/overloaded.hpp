// The overload set for std::visit over the event variants: one lambda per
// alternative, so a visit that misses one fails to compile.
#pragma once

namespace baley::runtime {

template <class... Ts>
struct overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
overloaded(Ts...) -> overloaded<Ts...>;

} // namespace baley::runtime
