// 128-bit integers for exact intermediate arithmetic (time scaling, ratios).
// A GCC/Clang extension; __extension__ keeps -Wpedantic quiet about it.
#pragma once

namespace zsim {
__extension__ using int128 = __int128;
__extension__ using uint128 = unsigned __int128;
}  // namespace zsim
