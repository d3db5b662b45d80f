// Helpers shared by the tests: a temporary directory that cleans up after itself, file
// reading and writing, the CLI binary run as a child process, a demo workspace.
#ifndef SEGMENTA_TESTS_TESTING_H_
#define SEGMENTA_TESTS_TESTING_H_

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <thread>

#include "segmenta/demo.h"
#include "segmenta/ingest.h"
#include "segmenta/project.h"
#include "segmenta/server.h"
#include "segmenta/workspace.h"

namespace segmenta::testing {

class TempDir {
 public:
  TempDir() {
    std::random_device random;
    const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = info ? std::string(info->test_suite_name()) + "_" + info->name() : "seg";
    path_ = std::filesystem::temp_directory_path() /
            ("segmenta_" + name + "_" + std::to_string(random()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

inline void WriteFile(const std::filesystem::path& path, const std::string& content) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

inline std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A real server on a loopback port, in this process, over `workspace`; stopped and
// joined when destroyed, also when an assertion leaves the test early.
class TestServer {
 public:
  TestServer(const Project& project, Workspace workspace, ServerOptions options = Quiet()) {
    Result<std::unique_ptr<Server>> server = Server::Create(project, std::move(workspace), options);
    if (!server.ok()) {
      status_ = server.status();
      return;
    }
    server_ = std::move(*server);
    Result<int> port = server_->Bind();
    if (!port.ok()) {
      status_ = port.status();
      return;
    }
    port_ = *port;
    listener_ = std::thread([this] { (void)server_->Listen(); });
  }
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;
  ~TestServer() {
    if (server_) server_->Stop();
    if (listener_.joinable()) listener_.join();
  }

  // Options for a test: any free port, no log lines.
  static ServerOptions Quiet() {
    ServerOptions options;
    options.port = 0;
    options.log = [](const std::string&) {};
    return options;
  }

  // Ok once it listens; ASSERT_TRUE(server.status().ok()) before using port().
  const Status& status() const { return status_; }
  int port() const { return port_; }

 private:
  Status status_ = Status::Ok();
  std::unique_ptr<Server> server_;
  std::thread listener_;
  int port_ = 0;
};

struct CliRun {
  int exit_code = -1;
  std::string out;
};

// Runs the segmenta binary (SEGMENTA_BINARY) with `args`, a shell command line; `out` is
// its stdout, and its stderr too when `with_stderr`.
inline CliRun RunSegmenta(const std::string& args, bool with_stderr = true) {
  std::string command =
      std::string(SEGMENTA_BINARY) + " " + args + (with_stderr ? " 2>&1" : " 2>/dev/null");
  CliRun run;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return run;
  std::array<char, 4096> buffer;
  size_t read = 0;
  while ((read = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
    run.out.append(buffer.data(), read);
  }
  int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

// A demo project of kCustomers customers, written once per test suite, ingested into a
// fresh workspace before each test: project_ and workspace_ are ready in the test.
template <int kCustomers, int kSeed>
class DemoWorkspaceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    DemoOptions demo;
    demo.customers = kCustomers;
    demo.seed = kSeed;
    ASSERT_TRUE(WriteDemoProject(demo, dir_->path() / "shop").ok());
  }
  static void TearDownTestSuite() { delete dir_; }

  void SetUp() override {
    std::filesystem::remove_all(dir_->path() / "shop" / ".segmenta");
    Result<Project> project = LoadProject(dir_->path() / "shop");
    ASSERT_TRUE(project.ok()) << project.status().ToString();
    project_ = *project;
    Result<Workspace> ws = Workspace::Open(project_.workspace);
    ASSERT_TRUE(ws.ok());
    workspace_ = std::make_unique<Workspace>(std::move(*ws));
    ASSERT_TRUE(Ingest(project_, *workspace_, {}).ok());
  }

  static inline TempDir* dir_ = nullptr;
  Project project_;
  std::unique_ptr<Workspace> workspace_;
};

}  // namespace segmenta::testing

#endif  // SEGMENTA_TESTS_TESTING_H_
