// Precompiled header: the heavy third-party headers every translation unit pulls in.
#pragma once
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <expected>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>
