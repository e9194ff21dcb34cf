package io.streamssl.models;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * PyTorch's grad mode is per thread and on by default in a new thread; DJL only switches it off in the thread
 * that loads the engine. Parameter updates (optimiser, EMA, restore) are in-place writes to leaves that
 * require gradients, which PyTorch refuses while grad mode is on, so a trainer calls {@link #disable()} in its
 * own thread before it updates anything, and an inference path before a forward pass (no graph to keep).
 */
public final class GradMode {

    private GradMode() {}

    public static void disable() {
        if ("PyTorch".equals(Engine.getInstance().getEngineName())) {
            JniUtils.setGradMode(false);
        }
    }

    /**
     * Runs {@code write} with grad mode off, then puts the mode back as it was: for a method that must write a
     * parameter in place in the middle of a forward pass a gradient collector records (Exemplar-CNN
     * re-initialising a class's weight row).
     */
    public static void paused(Runnable write) {
        if (!"PyTorch".equals(Engine.getInstance().getEngineName())) {
            write.run();
            return;
        }
        boolean was = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            write.run();
        } finally {
            JniUtils.setGradMode(was);
        }
    }
}
