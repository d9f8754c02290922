package dev.nabla.spark;

import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;

/**
 * The GPU Spark's resource scheduling assigned a task ({@code spark.executor.resource.gpu.amount},
 * {@code spark.task.resource.gpu.amount} and a discovery script), made the device the executor's
 * CUDA backend opens. An executor JVM computes on one device, the one its first task was given:
 * the usual layout of one GPU per executor, where every task of the executor is given the same.
 */
final class AssignedGpu {
    /** The CUDA backend's device property, read once, when it first opens. */
    static final String DEVICE_PROPERTY = "nabla.cuda.device";

    private AssignedGpu() {}

    /**
     * Makes the GPU this task was assigned, if any, the device of the executor's CUDA backend when
     * nothing chose one yet; returns what a report says of it ("" without one).
     */
    static synchronized String claim() {
        TaskContext task = TaskContext.get();
        ResourceInformation gpu = task == null ? null : task.resourcesJMap().get("gpu");
        if (gpu == null || gpu.addresses().length == 0) {
            return "";
        }
        String address = gpu.addresses()[0];
        String device = System.getProperty(DEVICE_PROPERTY);
        if (device == null) {
            System.setProperty(DEVICE_PROPERTY, address);
            return "; Spark assigned GPU " + address;
        }
        return device.equals(address)
                ? "; Spark assigned GPU " + address
                : "; Spark assigned GPU " + address + ", but this executor computes on device " + device
                        + " (one device per executor JVM: give each executor one GPU)";
    }
}
