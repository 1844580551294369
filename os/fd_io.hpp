// Whole reads and writes on a file descriptor: retried on EINTR and short
// transfers, so a caller sees all of its bytes moved or a failure.
#pragma once

#include <cstddef>
#include <string_view>

namespace baley::os {

// Writes every byte of `bytes`; false on an error (errno says which).
bool write_all(int fd, std::string_view bytes);

// Reads exactly `size` bytes into `data`; false at an error or at end of
// file before `size` bytes.
bool read_exactly(int fd, char* data, std::size_t size);

} // namespace baley::os
