package io.streamssl.models.method;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;
import java.util.List;

/**
 * A method that learns from its views' pretext targets (a rotation's quarter turns, a jigsaw's permutation, a
 * neighbour patch's position): {@link #forwardBatch} is its one entry point, and the older ones, which bring no
 * targets, reach it with none (each method says what a batch without targets means).
 */
abstract class ViewTargetMethod extends BaseMethod {

    ViewTargetMethod(String name, MethodSettings settings) {
        super(name, settings);
    }

    @Override
    public final Forward forward(ParameterStore ps, List<NDArray> views, long step) {
        return forwardBatch(ps, views, BatchContext.of(null), step);
    }

    @Override
    public final Forward forward(ParameterStore ps, List<NDArray> views, long[] instanceIds, long step) {
        return forwardBatch(ps, views, BatchContext.of(instanceIds), step);
    }

    @Override
    public abstract Forward forwardBatch(ParameterStore ps, List<NDArray> views, BatchContext context, long step);
}
