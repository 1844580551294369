// A small file only its owner may read (a key, a token), written so that no
// reader ever sees it half written: into a new 0600 file in the same
// directory, flushed to disk, then put in place and the directory flushed.
#pragma once

#include <string>
#include <string_view>

namespace baley::os {

enum class publish_mode {
  replace,        // rename over what is there
  keep_existing,  // link: when a file is there already (another process won), keep it
};

enum class publish_outcome { written, already_there, failed };

// On `failed`, `problem` says what failed ("cannot write PATH: reason").
publish_outcome publish_private_file(const std::string& path, std::string_view bytes,
                                     publish_mode mode, std::string& problem);

} // namespace baley::os
