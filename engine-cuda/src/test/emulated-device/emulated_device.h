// What the emulated driver (libcuda.cpp) offers the emulated cuBLAS (libcublas.cpp).
#pragma once
#include <functional>

// Queues `op` on `stream` (CUstream): it runs when something waits for the stream, after
// everything queued before it; on a stream being captured it is added to the graph instead.
// Returns a CUresult.
int nabla_emulated_enqueue(void* stream, std::function<void()> op);

// Whether `[ptr, ptr + bytes)` lies inside one device allocation.
bool nabla_emulated_device_range(const void* ptr, unsigned long long bytes);
