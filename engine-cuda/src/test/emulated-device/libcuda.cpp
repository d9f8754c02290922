// An emulated NVIDIA driver (libcuda.so.1) for tests on machines without a GPU: the part of the
// driver API that the CUDA backend uses, with Nabla's kernels compiled for the CPU
// (kernels/src/test/emulation) as its device code. JCuda's real native library runs against it,
// so the backend's Java code (launchers, transfers, memory, graphs) runs end to end.
//
// It is strict where a GPU is forgiving, so that mistakes which a GPU hides show here:
// - Work on a stream runs only when something waits for it (a stream or event synchronize, a
//   device-to-host copy, a stream waiting on an event): an operation that is not ordered after
//   the one it depends on sees stale data. With NABLA_EMULATED_ORDER=copies-first, a copy runs as
//   soon as it is queued instead (after what its stream waits for), ahead of the kernels still
//   queued: a copy that is not ordered after a kernel that still has to read what it overwrites
//   destroys that data first.
// - Copies from pinned host memory read it when they run, not when they are queued, as DMA does;
//   pageable memory is read at the call.
// - Device memory starts as 0xFF bytes (NaN), so reading memory never written shows; each
//   allocation ends at a page that cannot be touched, so running past its end crashes.
// - A copy outside a device allocation, a kernel argument that points outside device memory, a
//   launch of a kernel the module lacks, a synchronize while capturing, and a wait that crosses a
//   capture's boundary are errors.
//
// NABLA_EMULATED_DEVICE picks the host it plays: "gpu" (the default, a device of compute
// capability 9.0), "no-device" (cuInit fails), "zero" (no device), "old-gpu" (compute capability
// 7.0) or "old-driver" (CUDA 11.8; loading PTX fails with a JIT log).
// NABLA_EMULATED_MEMORY sets the device memory in bytes (default 4 GiB).
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "emulated_device.h"

struct NablaKernel {
    const char* name;
    std::function<void()> (*bind)(const unsigned grid[2], const unsigned block[2], void** params);
};
extern const NablaKernel nabla_kernels[];  // kernels.cpp, generated; ends with a null name

namespace {
enum : int {
    SUCCESS = 0,
    INVALID_VALUE = 1,
    OUT_OF_MEMORY = 2,
    NO_DEVICE = 100,
    INVALID_PTX = 218,
    UNSUPPORTED_PTX_VERSION = 222,
    INVALID_HANDLE = 400,
    ILLEGAL_STATE = 401,
    NOT_FOUND = 500,
    NOT_SUPPORTED = 801,
    CAPTURE_UNSUPPORTED = 900,
    CAPTURE_INVALIDATED = 901,
    CAPTURE_ISOLATION = 905,
};

std::recursive_mutex big_lock;  // one driver call at a time; kernels run under it too
#define LOCKED std::lock_guard<std::recursive_mutex> guard(big_lock)

bool copies_first() {
    const char* s = std::getenv("NABLA_EMULATED_ORDER");
    return s != nullptr && std::strcmp(s, "copies-first") == 0;
}

std::string scenario() {
    const char* s = std::getenv("NABLA_EMULATED_DEVICE");
    return s == nullptr ? "gpu" : s;
}

size_t total_memory() {
    const char* s = std::getenv("NABLA_EMULATED_MEMORY");
    return s == nullptr ? (size_t) 4 << 30 : (size_t) std::strtoull(s, nullptr, 10);
}

int fail(int code, const char* why) {
    std::fprintf(stderr, "[emulated device] %s (CUresult %d)\n", why, code);
    return code;
}

// ---- device memory ----
struct Allocation {
    char* mapping;
    size_t mapped;
    size_t bytes;
};
std::map<uintptr_t, Allocation> allocations;  // by the address handed out
size_t used = 0;

const Allocation* allocation_of(uintptr_t p, uintptr_t* start) {
    auto it = allocations.upper_bound(p);
    if (it == allocations.begin()) return nullptr;
    --it;
    if (p >= it->first + it->second.bytes) return nullptr;
    *start = it->first;
    return &it->second;
}

// ---- pinned host memory ----
std::map<uintptr_t, size_t> pinned;

bool is_pinned(const void* p, size_t bytes) {
    auto it = pinned.upper_bound((uintptr_t) p);
    if (it == pinned.begin()) return false;
    --it;
    return (uintptr_t) p + bytes <= it->first + it->second;
}

// ---- streams, events, graphs ----
struct Op {
    long long seq;
    std::function<void()> run;
};

struct Stream {
    std::deque<Op> queue;
    long long enqueued = 0;
    bool capturing = false;
    bool invalidated = false;
    std::vector<std::function<void()>> captured;
};
std::set<Stream*> streams;

struct Event {
    Stream* stream = nullptr;
    long long seq = 0;
};

struct Graph {
    std::vector<std::function<void()>> ops;
};

// Runs the stream's operations up to number `upto`.
void drain(Stream* s, long long upto) {
    while (streams.count(s) && !s->queue.empty() && s->queue.front().seq <= upto) {
        Op op = std::move(s->queue.front());
        s->queue.pop_front();
        op.run();
    }
}

void drain_all() {
    for (Stream* s : std::vector<Stream*>(streams.begin(), streams.end())) {
        drain(s, s->enqueued);
    }
}

Stream* stream_of(void* handle) {
    return static_cast<Stream*>(handle);
}

// The stream's capture breaks: cuStreamEndCapture will fail.
int invalidate(Stream* s, int code, const char* why) {
    s->invalidated = true;
    return fail(code, why);
}
}  // namespace

int nabla_emulated_enqueue(void* handle, std::function<void()> op) {
    LOCKED;
    Stream* s = stream_of(handle);
    if (s == nullptr) {  // the legacy default stream: after all other work, at once
        drain_all();
        op();
        return SUCCESS;
    }
    if (!streams.count(s)) return fail(INVALID_HANDLE, "no such stream");
    if (s->capturing) {
        s->captured.push_back(std::move(op));
    } else {
        s->queue.push_back(Op{++s->enqueued, std::move(op)});
    }
    return SUCCESS;
}

bool nabla_emulated_device_range(const void* ptr, unsigned long long bytes) {
    LOCKED;
    uintptr_t start;
    const Allocation* a = allocation_of((uintptr_t) ptr, &start);
    return a != nullptr && (uintptr_t) ptr + bytes <= start + a->bytes;
}

extern "C" {

// ---- initialization and the device ----
int cuInit(unsigned) {
    return scenario() == "no-device" ? NO_DEVICE : SUCCESS;
}

int cuDriverGetVersion(int* version) {
    *version = scenario() == "old-driver" ? 11080 : 13000;
    return SUCCESS;
}

int cuDeviceGetCount(int* count) {
    *count = scenario() == "zero" ? 0 : 1;
    return SUCCESS;
}

int cuDeviceGet(int* device, int ordinal) {
    if (ordinal != 0) return INVALID_VALUE;
    *device = 0;
    return SUCCESS;
}

int cuDeviceGetName(char* name, int length, int) {
    std::snprintf(name, (size_t) length, "%s", "Nabla emulated device (kernels run on the CPU)");
    return SUCCESS;
}

// CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75, _MINOR = 76
int cuDeviceGetAttribute(int* value, int attribute, int) {
    if (attribute == 75) {
        *value = scenario() == "old-gpu" ? 7 : 9;
    } else if (attribute == 76) {
        *value = 0;
    } else {
        return fail(NOT_SUPPORTED, "device attribute not emulated");
    }
    return SUCCESS;
}

int cuDeviceTotalMem_v2(size_t* bytes, int) {
    *bytes = total_memory();
    return SUCCESS;
}

// One device, one context: the primary context is a token.
int cuDevicePrimaryCtxRetain(void** context, int) {
    *context = (void*) 0x1000;
    return SUCCESS;
}

int cuDevicePrimaryCtxRelease_v2(int) {
    return SUCCESS;
}

int cuCtxSetCurrent(void*) {
    return SUCCESS;
}

int cuCtxSynchronize() {
    LOCKED;
    for (Stream* s : streams) {
        if (s->capturing) return invalidate(s, CAPTURE_UNSUPPORTED, "synchronize while a stream is captured");
    }
    drain_all();
    return SUCCESS;
}

// ---- memory ----
int cuMemGetInfo_v2(size_t* free_bytes, size_t* total_bytes) {
    LOCKED;
    *free_bytes = total_memory() - used;
    *total_bytes = total_memory();
    return SUCCESS;
}

int cuMemAlloc_v2(unsigned long long* dptr, size_t bytes) {
    LOCKED;
    if (bytes == 0) return INVALID_VALUE;
    if (bytes > total_memory() - used) return OUT_OF_MEMORY;
    size_t page = (size_t) sysconf(_SC_PAGESIZE);
    size_t span = (bytes + 255) / 256 * 256;  // cuMemAlloc aligns to 256 bytes
    size_t mapped = (span + page - 1) / page * page + page;
    void* m = mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return OUT_OF_MEMORY;
    char* mapping = static_cast<char*>(m);
    mprotect(mapping + mapped - page, page, PROT_NONE);  // the guard page right after the allocation
    char* p = mapping + (mapped - page - span);
    std::memset(p, 0xFF, span);
    allocations[(uintptr_t) p] = Allocation{mapping, mapped, bytes};
    used += bytes;
    *dptr = (unsigned long long) (uintptr_t) p;
    return SUCCESS;
}

int cuMemFree_v2(unsigned long long dptr) {
    LOCKED;
    auto it = allocations.find((uintptr_t) dptr);
    if (it == allocations.end()) return fail(INVALID_VALUE, "cuMemFree of an address cuMemAlloc did not return");
    drain_all();  // as on a GPU, freeing waits for the work that may still use the memory
    munmap(it->second.mapping, it->second.mapped);
    used -= it->second.bytes;
    allocations.erase(it);
    return SUCCESS;
}

int cuMemAllocHost_v2(void** p, size_t bytes) {
    LOCKED;
    *p = std::malloc(bytes == 0 ? 1 : bytes);
    if (*p == nullptr) return OUT_OF_MEMORY;
    pinned[(uintptr_t) *p] = bytes;
    return SUCCESS;
}

int cuMemFreeHost(void* p) {
    LOCKED;
    if (!pinned.erase((uintptr_t) p)) return fail(INVALID_VALUE, "cuMemFreeHost of memory cuMemAllocHost did not return");
    drain_all();
    std::free(p);
    return SUCCESS;
}

// Queues a copy; with NABLA_EMULATED_ORDER=copies-first, runs its stream up to it at once.
static int enqueue_copy(void* stream, std::function<void()> copy) {
    int rc = nabla_emulated_enqueue(stream, std::move(copy));
    Stream* s = stream_of(stream);
    if (rc == SUCCESS && copies_first() && s != nullptr && !s->capturing) drain(s, s->enqueued);
    return rc;
}

int cuMemcpyHtoDAsync_v2(unsigned long long dst, const void* src, size_t bytes, void* stream) {
    LOCKED;
    if (!nabla_emulated_device_range((void*) (uintptr_t) dst, bytes)) {
        return fail(INVALID_VALUE, "host-to-device copy outside a device allocation");
    }
    char* d = (char*) (uintptr_t) dst;
    if (is_pinned(src, bytes)) {
        return enqueue_copy(stream, [d, src, bytes] { std::memcpy(d, src, bytes); });
    }
    Stream* s = stream_of(stream);
    if (s != nullptr && s->capturing) return invalidate(s, CAPTURE_UNSUPPORTED, "pageable copy in a capture");
    auto staged = std::make_shared<std::vector<char>>((const char*) src, (const char*) src + bytes);
    return enqueue_copy(stream, [d, staged] { std::memcpy(d, staged->data(), staged->size()); });
}

int cuMemcpyDtoHAsync_v2(void* dst, unsigned long long src, size_t bytes, void* stream) {
    LOCKED;
    if (!nabla_emulated_device_range((void*) (uintptr_t) src, bytes)) {
        return fail(INVALID_VALUE, "device-to-host copy outside a device allocation");
    }
    const char* s_ptr = (const char*) (uintptr_t) src;
    if (is_pinned(dst, bytes)) {
        return enqueue_copy(stream, [dst, s_ptr, bytes] { std::memcpy(dst, s_ptr, bytes); });
    }
    Stream* s = stream_of(stream);
    if (s != nullptr) {
        if (s->capturing) return invalidate(s, CAPTURE_UNSUPPORTED, "pageable copy in a capture");
        drain(s, s->enqueued);  // to pageable memory the copy is synchronous
    }
    std::memcpy(dst, s_ptr, bytes);
    return SUCCESS;
}

// ---- streams and events ----
int cuStreamCreate(void** stream, unsigned) {
    LOCKED;
    Stream* s = new Stream();
    streams.insert(s);
    *stream = s;
    return SUCCESS;
}

int cuStreamDestroy_v2(void* stream) {
    LOCKED;
    Stream* s = stream_of(stream);
    if (!streams.count(s)) return fail(INVALID_HANDLE, "cuStreamDestroy of no stream");
    drain(s, s->enqueued);
    streams.erase(s);
    delete s;
    return SUCCESS;
}

int cuStreamSynchronize(void* stream) {
    LOCKED;
    Stream* s = stream_of(stream);
    if (s == nullptr) {
        drain_all();
        return SUCCESS;
    }
    if (!streams.count(s)) return fail(INVALID_HANDLE, "cuStreamSynchronize of no stream");
    if (s->capturing) return invalidate(s, CAPTURE_UNSUPPORTED, "cuStreamSynchronize on a stream being captured");
    drain(s, s->enqueued);
    return SUCCESS;
}

int cuEventCreate(void** event, unsigned) {
    *event = new Event();
    return SUCCESS;
}

int cuEventDestroy_v2(void* event) {
    delete static_cast<Event*>(event);
    return SUCCESS;
}

int cuEventRecord(void* event, void* stream) {
    LOCKED;
    Stream* s = stream_of(stream);
    if (s == nullptr || !streams.count(s)) return fail(NOT_SUPPORTED, "events on the default stream are not emulated");
    if (s->capturing) return invalidate(s, CAPTURE_UNSUPPORTED, "events inside a capture are not emulated");
    Event* e = static_cast<Event*>(event);
    e->stream = s;
    e->seq = s->enqueued;
    return SUCCESS;
}

int cuEventSynchronize(void* event) {
    LOCKED;
    Event* e = static_cast<Event*>(event);
    if (e->stream != nullptr) drain(e->stream, e->seq);
    return SUCCESS;
}

int cuStreamWaitEvent(void* stream, void* event, unsigned) {
    LOCKED;
    Event* e = static_cast<Event*>(event);
    if (e->stream == nullptr) return SUCCESS;  // never recorded: nothing to wait for
    Stream* s = stream_of(stream);
    if (s != nullptr && s->capturing) {
        return invalidate(s, CAPTURE_ISOLATION, "a captured stream waits for an event recorded outside the capture");
    }
    Stream* other = e->stream;
    long long seq = e->seq;
    return nabla_emulated_enqueue(stream, [other, seq] { drain(other, seq); });
}

// ---- graphs ----
int cuStreamBeginCapture_v2(void* stream, int) {
    LOCKED;
    Stream* s = stream_of(stream);
    if (s == nullptr) return fail(NOT_SUPPORTED, "capture of the default stream");
    if (s->capturing) return fail(ILLEGAL_STATE, "the stream is already being captured");
    s->capturing = true;
    s->invalidated = false;
    s->captured.clear();
    return SUCCESS;
}

int cuStreamEndCapture(void* stream, void** graph) {
    LOCKED;
    Stream* s = stream_of(stream);
    if (s == nullptr || !s->capturing) return fail(ILLEGAL_STATE, "cuStreamEndCapture without a capture");
    s->capturing = false;
    if (s->invalidated) {
        *graph = nullptr;
        s->captured.clear();
        return CAPTURE_INVALIDATED;
    }
    *graph = new Graph{std::move(s->captured)};
    s->captured.clear();
    return SUCCESS;
}

int cuGraphGetNodes(void* graph, void** nodes, size_t* count) {
    Graph* g = static_cast<Graph*>(graph);
    if (nodes != nullptr) {
        for (size_t i = 0; i < *count && i < g->ops.size(); i++) nodes[i] = (void*) (i + 1);
    }
    *count = g->ops.size();
    return SUCCESS;
}

int cuGraphInstantiateWithFlags(void** exec, void* graph, unsigned long long) {
    *exec = new Graph{static_cast<Graph*>(graph)->ops};
    return SUCCESS;
}

int cuGraphLaunch(void* exec, void* stream) {
    std::vector<std::function<void()>> ops = static_cast<Graph*>(exec)->ops;
    return nabla_emulated_enqueue(stream, [ops] {
        for (const auto& op : ops) op();
    });
}

int cuGraphDestroy(void* graph) {
    delete static_cast<Graph*>(graph);
    return SUCCESS;
}

int cuGraphExecDestroy(void* exec) {
    delete static_cast<Graph*>(exec);
    return SUCCESS;
}

// ---- modules and launches ----
// CU_JIT_ERROR_LOG_BUFFER = 5: its value is where the driver writes the error log
static void write_log(unsigned n, const int* options, void** values, const char* text) {
    for (unsigned i = 0; i < n; i++) {
        if (options[i] == 5) std::strcpy(static_cast<char*>(values[i]), text);
    }
}

int cuModuleLoadDataEx(void** module, const void* image, unsigned n, const int* options, void** values) {
    LOCKED;
    if (scenario() == "old-driver") {
        write_log(n, options, values, "ptxas application ptx input, line 12; fatal   : Unsupported .version 8.0");
        return UNSUPPORTED_PTX_VERSION;
    }
    auto* names = new std::vector<std::string>();
    const std::string ptx(static_cast<const char*>(image));
    for (size_t at = ptx.find(".entry "); at != std::string::npos; at = ptx.find(".entry ", at + 1)) {
        size_t from = at + 7;
        size_t to = ptx.find('(', from);
        std::string name = ptx.substr(from, to - from);
        bool known = false;
        for (const NablaKernel* k = nabla_kernels; k->name != nullptr; k++) known = known || name == k->name;
        if (!known) {
            std::string log = "emulated device: no CPU build of kernel " + name;
            write_log(n, options, values, log.c_str());
            delete names;
            return INVALID_PTX;
        }
        names->push_back(name);
    }
    *module = names;
    return SUCCESS;
}

int cuModuleGetFunction(void** function, void* module, const char* name) {
    auto* names = static_cast<std::vector<std::string>*>(module);
    bool in_module = false;
    for (const std::string& n : *names) in_module = in_module || n == name;
    for (const NablaKernel* k = nabla_kernels; in_module && k->name != nullptr; k++) {
        if (std::strcmp(k->name, name) == 0) {
            *function = const_cast<NablaKernel*>(k);
            return SUCCESS;
        }
    }
    return NOT_FOUND;
}

int cuLaunchKernel(void* function, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                   unsigned shared_bytes, void* stream, void** params, void** extra) {
    LOCKED;
    const NablaKernel* k = static_cast<const NablaKernel*>(function);
    if (k == nullptr) return fail(INVALID_HANDLE, "launch of no function");
    if (gx == 0 || gy == 0 || gz == 0 || bx == 0 || by == 0 || bz == 0 || gy > 65535 || bx * by * bz > 1024) {
        return fail(INVALID_VALUE, "launch shape out of the device's limits");
    }
    if (gz != 1 || bz != 1 || (bx * by) % 32 != 0) {
        return fail(NOT_SUPPORTED, "the emulator runs 1-D and 2-D grids of whole warps");
    }
    if (shared_bytes != 0 || extra != nullptr) {
        return fail(NOT_SUPPORTED, "dynamic shared memory and `extra` arguments are not emulated");
    }
    const unsigned grid[2] = {gx, gy};
    const unsigned block[2] = {bx, by};
    std::function<void()> launch = k->bind(grid, block, params);
    if (!launch) return fail(INVALID_VALUE, "a kernel argument points outside device memory");
    return nabla_emulated_enqueue(stream, std::move(launch));
}

// ---- errors ----
int cuGetErrorName(int code, const char** name) {
    switch (code) {
        case SUCCESS: *name = "CUDA_SUCCESS"; break;
        case INVALID_VALUE: *name = "CUDA_ERROR_INVALID_VALUE"; break;
        case OUT_OF_MEMORY: *name = "CUDA_ERROR_OUT_OF_MEMORY"; break;
        case NO_DEVICE: *name = "CUDA_ERROR_NO_DEVICE"; break;
        case UNSUPPORTED_PTX_VERSION: *name = "CUDA_ERROR_UNSUPPORTED_PTX_VERSION"; break;
        default: *name = "CUDA_ERROR_UNKNOWN"; break;
    }
    return SUCCESS;
}

int cuGetErrorString(int code, const char** text) {
    return cuGetErrorName(code, text);
}

}  // extern "C"
