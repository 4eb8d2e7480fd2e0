// The table of tasks the command line offers: each task's name, help, what it needs and its
// binder (tasks/task.h says what a task file provides).
#pragma once
#include <span>

#include "tasks/task.h"

namespace rawbackup {

std::span<const TaskEntry> task_table();

}  // namespace rawbackup
