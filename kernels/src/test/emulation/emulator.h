// Launching emulated kernels (cuda_emulation.h) from a test program.
#pragma once
#include <functional>

#include "cuda_emulation.h"

// Runs `kernel` as a grid of blocks, block after block (x fastest); a block's threads, numbered
// x + y * block.x, must make whole warps of 32.
void emulate_launch(dim3 grid, dim3 block, const std::function<void()>& kernel);

// A 1-D launch.
inline void emulate_launch(int grid, int block, const std::function<void()>& kernel) {
    emulate_launch(dim3{(unsigned) grid, 1, 1}, dim3{(unsigned) block, 1, 1}, kernel);
}
