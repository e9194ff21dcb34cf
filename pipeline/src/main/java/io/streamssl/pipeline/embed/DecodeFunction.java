package io.streamssl.pipeline.embed;

import io.streamssl.connectors.DeadLetter;
import io.streamssl.connectors.ImageRecord;
import io.streamssl.connectors.decode.BadImageException;
import io.streamssl.connectors.decode.DecodeLimits;
import io.streamssl.connectors.decode.ImageDecoder;
import io.streamssl.connectors.decode.RgbImage;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes an {@link ImageRecord} for the embed job, with the training job's decoder and limits. A record that
 * cannot be decoded is logged, counted ({@code records_dead_lettered}) and sent to {@link #DEAD_LETTERS} with its
 * reason (stage {@value #STAGE}); it never fails the job.
 */
public final class DecodeFunction extends ProcessFunction<ImageRecord, DecodedImage> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(DecodeFunction.class);
    public static final String STAGE = "embed-decode";

    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("embed-dead-letters", TypeInformation.of(DeadLetter.class));

    // ---- configuration
    private final int maxBytes;
    private final long maxPixels;

    // ---- runtime (not checkpointed: a pure function of its input)
    private transient ImageDecoder decoder;
    private transient Counter deadLettered;

    public DecodeFunction(int maxBytes, long maxPixels) {
        this.maxBytes = maxBytes;
        this.maxPixels = maxPixels;
    }

    @Override
    public void open(OpenContext ctx) {
        decoder = new ImageDecoder(new DecodeLimits(maxBytes, maxPixels));
        deadLettered = getRuntimeContext().getMetricGroup().counter("records_dead_lettered");
    }

    @Override
    public void processElement(ImageRecord record, Context ctx, Collector<DecodedImage> out) {
        if (record.problem != null) {
            reject(record, ctx, "BAD_HEADER", record.problem);
            return;
        }
        RgbImage image;
        try {
            image = decoder.decode(record.data, record.contentType, record.width, record.height);
        } catch (BadImageException e) {
            reject(record, ctx, e.reason().name(), e.getMessage());
            return;
        }
        out.collect(DecodedImage.of(record.id, record.position(), image));
    }

    private void reject(ImageRecord record, Context ctx, String reason, String detail) {
        deadLettered.inc();
        LOG.warn("dead-lettering record {} at {}: {}", record.id, record.position(), detail);
        ctx.output(DEAD_LETTERS, DeadLetter.of(record, STAGE, reason, detail));
    }
}
