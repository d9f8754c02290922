// Launching emulated kernels (cuda_emulation.h) from a test program.
#pragma once
#include <functional>

#include "cuda_emulation.h"

// Runs `kernel` as a grid of `grid` blocks of `block` threads (a multiple of 32), block after block.
void emulate_launch(int grid, int block, const std::function<void()>& kernel);
