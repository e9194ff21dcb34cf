package io.streamssl.pipeline.job;

import io.streamssl.connectors.DeadLetter;
import io.streamssl.connectors.ImageRecord;
import io.streamssl.connectors.decode.BadImageException;
import io.streamssl.connectors.decode.DecodeLimits;
import io.streamssl.connectors.decode.ImageDecoder;
import io.streamssl.connectors.decode.RgbImage;
import io.streamssl.pipeline.augment.AugmentationPresets;
import io.streamssl.pipeline.augment.MultiViewAugmenter;
import io.streamssl.pipeline.config.JobConfig;
import io.streamssl.pipeline.config.StreamsslOptions;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes an {@link ImageRecord} and makes its views with the configured augmentation preset. A record that cannot become views is logged, counted
 * ({@code records_dead_lettered}) and sent to the {@link #DEAD_LETTERS} side output with its reason; it never
 * fails the job.
 */
public final class DecodeAugmentFunction extends ProcessFunction<ImageRecord, TrainingSample> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(DecodeAugmentFunction.class);
    public static final String STAGE = "decode-augment";

    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));

    // ---- configuration
    private final JobConfig config;
    private final int size;
    private final int maxBytes;
    private final long maxPixels;
    /** Samples may be used again (replay buffer or repeats): each needs its image at the training size. */
    private final boolean reuse;

    // ---- runtime (not checkpointed: a pure function of its input)
    private transient ImageDecoder decoder;
    private transient MultiViewAugmenter augmenter;
    private transient Counter recordsIn;
    private transient Counter deadLettered;
    private transient Counter samplesOut;

    public DecodeAugmentFunction(JobConfig config) {
        this.config = config;
        this.size = config.get(StreamsslOptions.IMAGE_SIZE);
        this.maxBytes = config.get(StreamsslOptions.MAX_IMAGE_BYTES);
        this.maxPixels = config.get(StreamsslOptions.MAX_IMAGE_PIXELS);
        this.reuse = config.replay().reuses();
    }

    @Override
    public void open(OpenContext ctx) {
        decoder = new ImageDecoder(new DecodeLimits(maxBytes, maxPixels));
        augmenter = AugmentationPresets.forViewPlan(config.viewPlan(), config.get(StreamsslOptions.SEED));
        recordsIn = getRuntimeContext().getMetricGroup().counter("records_in");
        deadLettered = getRuntimeContext().getMetricGroup().counter("records_dead_lettered");
        samplesOut = getRuntimeContext().getMetricGroup().counter("samples_out");
    }

    @Override
    public void processElement(ImageRecord record, Context ctx, Collector<TrainingSample> out) {
        recordsIn.inc();
        if (record.problem != null) {
            reject(record, ctx, "BAD_HEADER", record.problem);
            return;
        }
        RgbImage[] made;
        RgbImage image;
        try {
            image = decoder.decode(record.data, record.contentType, record.width, record.height);
            made = augmenter.apply(image, record.id, record.epoch);
        } catch (BadImageException e) {
            reject(record, ctx, e.reason().name(), e.getMessage());
            return;
        }
        // the probe image; with reuse every sample carries it: repeats and replays are augmented from it
        byte[] probe = record.label >= 0 || reuse ? ProbeView.of(image, size) : null;
        TrainingSample s = TrainingSample.of(record.id, record.position(), record.label, record.epoch, size,
                augmenter.viewSizes(), made, probe);
        s.viewTargets = augmenter.targets(record.id, record.epoch, 0);
        samplesOut.inc();
        out.collect(s);
    }

    private void reject(ImageRecord record, Context ctx, String reason, String detail) {
        deadLettered.inc();
        LOG.warn("dead-lettering record {} at {}: {}", record.id, record.position(), detail);
        ctx.output(DEAD_LETTERS, DeadLetter.of(record, STAGE, reason, detail));
    }
}
