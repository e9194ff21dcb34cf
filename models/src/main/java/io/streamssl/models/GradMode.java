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
}
