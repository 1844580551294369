// The libcurl multi loop; see llm_transport.hpp.
#include "actors/llm_transport.hpp"

#include <curl/curl.h>

#include <atomic>
#include <cctype>
#include <map>
#include <mutex>
#include <thread>

namespace baley::actors {
namespace {

struct transfer {
  std::uint64_t id = 0;
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  transfer_request request;
  transfer_events events;
  bool status_sent = false;
  std::string retry_after;
};

std::once_flag curl_global;

transfer_result aborted_result(std::string detail) {
  transfer_result r;
  r.aborted = true;
  r.failure = runtime::transport_error::other;
  r.detail = std::move(detail);
  return r;
}

runtime::transport_error classify(CURLcode code) {
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT: return runtime::transport_error::timeout;
    case CURLE_COULDNT_CONNECT: return runtime::transport_error::connection_refused;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY: return runtime::transport_error::name_resolution;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING: return runtime::transport_error::connection_reset;
    case CURLE_PARTIAL_FILE: return runtime::transport_error::stream_cut;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE: return runtime::transport_error::tls;
    default: return runtime::transport_error::other;
  }
}

void send_status(transfer& t) {
  if (t.status_sent)
    return;
  t.status_sent = true;
  long status = 0;
  curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &status);
  if (t.events.on_status)
    t.events.on_status(status);
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto& t = *static_cast<transfer*>(user);
  send_status(t);
  if (t.events.on_data)
    t.events.on_data(std::string(data, size * count));
  return size * count;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto& t = *static_cast<transfer*>(user);
  std::string_view line(data, size * count);
  constexpr std::string_view name = "retry-after:";
  if (line.size() > name.size()) {
    bool match = true;
    for (std::size_t i = 0; i < name.size() && match; ++i)
      match = std::tolower(static_cast<unsigned char>(line[i])) == name[i];
    if (match) {
      auto value = line.substr(name.size());
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
        value.remove_prefix(1);
      while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
        value.remove_suffix(1);
      t.retry_after = std::string(value);
    }
  }
  return size * count;
}

} // namespace

struct llm_transport::impl {
  CURLM* multi = nullptr;
  std::thread thread;
  std::mutex mutex;
  std::vector<std::unique_ptr<transfer>> incoming;
  std::vector<std::uint64_t> aborts;
  std::map<std::uint64_t, std::unique_ptr<transfer>> running;  // thread only
  std::atomic<std::uint64_t> next_id{1};
  std::atomic<bool> stopping{false};

  void add(std::unique_ptr<transfer> t) {
    t->easy = curl_easy_init();
    auto* e = t->easy;
    curl_easy_setopt(e, CURLOPT_URL, t->request.url.c_str());
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->request.body.data());
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, static_cast<long>(t->request.body.size()));
    for (const auto& h : t->request.headers)
      t->headers = curl_slist_append(t->headers, h.c_str());
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, t.get());
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, t.get());
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(t->request.connect_timeout.count()));
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(t->request.total_timeout.count()));
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME,
                     std::max(1L, static_cast<long>(t->request.idle_timeout.count() / 1000)));
    curl_easy_setopt(e, CURLOPT_PRIVATE, reinterpret_cast<char*>(t->id));
    curl_multi_add_handle(multi, e);
    running.emplace(t->id, std::move(t));
  }

  void finish(std::uint64_t id, transfer_result result) {
    auto it = running.find(id);
    if (it == running.end())
      return;
    auto t = std::move(it->second);
    running.erase(it);
    curl_multi_remove_handle(multi, t->easy);
    curl_easy_cleanup(t->easy);
    curl_slist_free_all(t->headers);
    result.retry_after = t->retry_after;
    if (t->events.on_done)
      t->events.on_done(std::move(result));
  }

  void take_requests() {
    std::vector<std::unique_ptr<transfer>> added;
    std::vector<std::uint64_t> aborted;
    {
      std::lock_guard lock(mutex);
      added.swap(incoming);
      aborted.swap(aborts);
    }
    for (auto& t : added)
      add(std::move(t));
    for (auto id : aborted)
      finish(id, aborted_result("aborted"));
  }

  void read_results() {
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
      if (msg->msg != CURLMSG_DONE)
        continue;
      char* priv = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
      auto id = reinterpret_cast<std::uint64_t>(priv);
      transfer_result r;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &r.status);
      if (auto it = running.find(id); it != running.end())
        send_status(*it->second);
      if (msg->data.result != CURLE_OK) {
        r.failure = classify(msg->data.result);
        r.detail = curl_easy_strerror(msg->data.result);
      }
      finish(id, std::move(r));
    }
  }

  void run() {
    while (!stopping.load()) {
      take_requests();
      int still = 0;
      curl_multi_perform(multi, &still);
      read_results();
      curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
    }
    take_requests();
    std::vector<std::uint64_t> ids;
    for (auto& [id, t] : running)
      ids.push_back(id);
    for (auto id : ids)
      finish(id, aborted_result("shutting down"));
  }
};

llm_transport::llm_transport() : impl_(std::make_unique<impl>()) {
  std::call_once(curl_global, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  impl_->multi = curl_multi_init();
  impl_->thread = std::thread([this] { impl_->run(); });
}

llm_transport::~llm_transport() {
  impl_->stopping.store(true);
  curl_multi_wakeup(impl_->multi);
  impl_->thread.join();
  curl_multi_cleanup(impl_->multi);
}

std::uint64_t llm_transport::start(transfer_request request, transfer_events events) {
  auto t = std::make_unique<transfer>();
  t->id = impl_->next_id++;
  t->request = std::move(request);
  t->events = std::move(events);
  auto id = t->id;
  {
    std::lock_guard lock(impl_->mutex);
    impl_->incoming.push_back(std::move(t));
  }
  curl_multi_wakeup(impl_->multi);
  return id;
}

void llm_transport::abort(std::uint64_t transfer) {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->aborts.push_back(transfer);
  }
  curl_multi_wakeup(impl_->multi);
}

} // namespace baley::actors
