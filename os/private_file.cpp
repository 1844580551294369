// Private files written atomically; see private_file.hpp.
#include "os/private_file.hpp"

#include "os/fd_io.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

namespace baley::os {
namespace {

struct fd_guard {
  int fd = -1;
  ~fd_guard() {
    if (fd >= 0)
      ::close(fd);
  }
};

publish_outcome failed(std::string& problem, const std::string& what, int err) {
  problem = what + ": " + std::strerror(err);
  return publish_outcome::failed;
}

} // namespace

publish_outcome publish_private_file(const std::string& path, std::string_view bytes,
                                     publish_mode mode, std::string& problem) {
  auto dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty())
    dir = ".";
  auto temp = path + ".new-XXXXXX";
  fd_guard file{::mkstemp(temp.data())};  // mode 0600
  if (file.fd < 0)
    return failed(problem, "cannot create a file in " + dir, errno);
  auto undo = [&](const std::string& what) {
    auto err = errno;
    ::unlink(temp.c_str());
    return failed(problem, what, err);
  };
  if (::fchmod(file.fd, S_IRUSR | S_IWUSR) != 0)
    return undo("cannot chmod " + temp);
  if (!write_all(file.fd, bytes) || ::fsync(file.fd) != 0)
    return undo("cannot write " + temp);
  if (mode == publish_mode::replace) {
    if (::rename(temp.c_str(), path.c_str()) != 0)
      return undo("cannot write " + path);
  } else {
    bool linked = ::link(temp.c_str(), path.c_str()) == 0;
    auto err = errno;
    ::unlink(temp.c_str());
    if (!linked && err == EEXIST)
      return publish_outcome::already_there;
    if (!linked)
      return failed(problem, "cannot create " + path, err);
  }
  fd_guard directory{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (directory.fd < 0 || ::fsync(directory.fd) != 0)
    return failed(problem, "cannot sync " + dir, errno);
  return publish_outcome::written;
}

} // namespace baley::os
