// Binds an emulated kernel (a .cu file compiled with kernels/src/test/emulation/cuda_emulation.h)
// to cuLaunchKernel's arguments: the kernel's own signature says how to read each of the
// `kernelParams` pointers, so no argument list is written down twice. Included by the generated
// kernels.cpp after every .cu file; libcuda.cpp sees only NablaKernel.
#pragma once
#include <cstddef>
#include <functional>
#include <tuple>
#include <type_traits>
#include <utility>

#include "emulated_device.h"
#include "emulator.h"

// Reads the launch's arguments now (as the driver does) and returns the launch, to run later.
using NablaBind = std::function<void()> (*)(const unsigned grid[2], const unsigned block[2], void** params);

struct NablaKernel {
    const char* name;
    NablaBind bind;
};

// Whether an argument may be passed to a kernel: a pointer must be null or into device memory.
template <typename T>
bool nabla_device_argument(const T& value) {
    if constexpr (std::is_pointer_v<T>) {
        return value == nullptr || nabla_emulated_device_range(value, 1);
    } else {
        return true;
    }
}

// The launch, or an empty function when a pointer argument is not device memory.
template <typename... A, std::size_t... I>
std::function<void()> nabla_bind_args(void (*kernel)(A...), const unsigned grid[2], const unsigned block[2],
                                      void** params, std::index_sequence<I...>) {
    auto args = std::make_tuple(*static_cast<std::remove_cv_t<A>*>(params[I])...);
    if (!(nabla_device_argument(std::get<I>(args)) && ...)) {
        return {};
    }
    dim3 g{grid[0], grid[1], 1};
    dim3 b{block[0], block[1], 1};
    return [kernel, g, b, args] { emulate_launch(g, b, [&] { std::apply(kernel, args); }); };
}

template <typename... A>
std::function<void()> nabla_bind_any(void (*kernel)(A...), const unsigned grid[2], const unsigned block[2],
                                     void** params) {
    return nabla_bind_args(kernel, grid, block, params, std::index_sequence_for<A...>{});
}

template <auto Kernel>
std::function<void()> nabla_bind(const unsigned grid[2], const unsigned block[2], void** params) {
    return nabla_bind_any(Kernel, grid, block, params);
}

#define NABLA_KERNEL(name) NablaKernel{#name, &nabla_bind<&name>}
