// The host side of cuda_emulation.h: the thread indices, barriers, and a launcher.
//
// A block's CUDA threads are fibers taking turns on the calling thread: each runs until it reaches
// a barrier, then hands over to the next. That keeps a 256-thread block cheap (no operating-system
// threads, no locks) while every barrier still holds: no fiber passes one until all the fibers it
// waits for have reached it. A fiber starts on its own stack through ucontext; after that, turns
// change with _setjmp/_longjmp, which (unlike swapcontext) make no system call.
#include "emulator.h"

#include <setjmp.h>
#include <ucontext.h>

#include <memory>
#include <vector>

dim3 threadIdx;
dim3 blockIdx;
dim3 blockDim;
dim3 gridDim;

namespace {
constexpr int MAX_WARPS = 32;
constexpr size_t STACK_BYTES = 256 * 1024;

struct Fiber {
    ucontext_t context;
    jmp_buf resume;
    bool started = false;
    bool done = false;
};

ucontext_t scheduler_context;
jmp_buf scheduler;
std::vector<Fiber> fibers;
std::vector<std::unique_ptr<char[]>> stacks;  // one per thread of a block, kept from launch to launch
int current = -1;
const std::function<void()>* running_kernel = nullptr;

// A barrier for `parties` fibers: arrivals count up; the last one opens a new generation.
struct Barrier {
    int parties = 0;
    int arrived = 0;
    long generation = 0;

    void wait() {
        long mine = generation;
        if (++arrived == parties) {
            arrived = 0;
            generation++;
            return;
        }
        while (generation == mine) {
            if (_setjmp(fibers[current].resume) == 0) {
                _longjmp(scheduler, 1);  // let the others run
            }
        }
    }
};

Barrier block_barrier;
Barrier warp_barrier[MAX_WARPS];
double lanes[MAX_WARPS][32];

void fiber_main() {
    (*running_kernel)();
    fibers[current].done = true;
    _longjmp(scheduler, 1);
}
}  // namespace

void nabla_emulated_syncthreads() {
    block_barrier.wait();
}

double nabla_emulated_shfl_xor(double v, int lane_mask) {
    int linear = threadIdx.x + threadIdx.y * blockDim.x;
    int warp = linear / 32;
    int lane = linear % 32;
    lanes[warp][lane] = v;
    warp_barrier[warp].wait();
    double other = lanes[warp][lane ^ lane_mask];
    warp_barrier[warp].wait();
    return other;
}

void emulate_launch(dim3 grid, dim3 block, const std::function<void()>& kernel) {
    gridDim = grid;
    blockDim = block;
    running_kernel = &kernel;
    int threads = (int) (block.x * block.y);
    for (unsigned by = 0; by < grid.y; by++) {
        for (unsigned bx = 0; bx < grid.x; bx++) {
            blockIdx = {bx, by, 0};
            block_barrier = Barrier{threads};
            for (int w = 0; w < (threads + 31) / 32; w++) {
                warp_barrier[w] = Barrier{32};  // blocks are whole warps
            }
            fibers.clear();
            fibers.resize(threads);
            while ((int) stacks.size() < threads) {
                stacks.emplace_back(new char[STACK_BYTES]);
            }
            for (int t = 0; t < threads; t++) {
                Fiber& f = fibers[t];
                getcontext(&f.context);
                f.context.uc_stack.ss_sp = stacks[t].get();
                f.context.uc_stack.ss_size = STACK_BYTES;
                f.context.uc_link = nullptr;  // fiber_main never returns
                makecontext(&f.context, fiber_main, 0);
            }
            // Round robin until every fiber has returned.
            for (int left = threads; left > 0;) {
                left = 0;
                for (int t = 0; t < threads; t++) {
                    if (!fibers[t].done) {
                        current = t;
                        // the running fiber's index, restored at every switch
                        threadIdx = {(unsigned) t % block.x, (unsigned) t / block.x, 0};
                        if (_setjmp(scheduler) == 0) {
                            if (fibers[t].started) {
                                _longjmp(fibers[t].resume, 1);
                            }
                            fibers[t].started = true;
                            swapcontext(&scheduler_context, &fibers[t].context);
                        }
                        left += fibers[t].done ? 0 : 1;
                    }
                }
            }
        }
    }
    threadIdx = {0, 0, 0};
}
