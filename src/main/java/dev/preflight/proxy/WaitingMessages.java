package dev.preflight.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.function.Predicate;

/**
 * The messages that one socket read brought and nobody has asked for yet, oldest first: a client's
 * ({@link ClientReads}) or an upstream's. Consecutive parts of one body are merged into one part as
 * they come (P2). A 64 KiB read of one-byte chunks decodes into some 11,000 parts, each with a buffer
 * and a reference count of its own: held while the other side was slow, that was 1.2-1.5 MB of heap
 * per connection (a few dozen such connections ran the image's 64 MiB heap out), and each part went
 * on in a write of its own (found by probing). Merged, what waits is the read's bytes in one buffer,
 * passed on in one write. A body's last part, one the decoder failed on and anything else stay as
 * they are. Confined to its connection's event loop.
 */
public final class WaitingMessages {
    private final ArrayDeque<Object> messages = new ArrayDeque<>(4);
    /** The last message when it is a part made here of several: the next part is added to its buffer. */
    private HttpContent merged;

    /** Waits after the others; a part of a body after another part joins it. */
    public void addLast(Object msg, ByteBufAllocator alloc) {
        if (joinsOthers(msg) && joinsOthers(messages.peekLast())) {
            HttpContent part = (HttpContent) msg;
            HttpContent last = (HttpContent) messages.peekLast();
            if (last != merged) {
                ByteBuf joined = alloc.buffer(
                        last.content().readableBytes() + part.content().readableBytes());
                joined.writeBytes(last.content());
                last.release();
                messages.pollLast();
                merged = new DefaultHttpContent(joined);
                messages.addLast(merged);
            }
            merged.content().writeBytes(part.content());
            part.release();
            return;
        }
        messages.addLast(msg);
    }

    private static boolean mergeable(HttpContent part) {
        return !(part instanceof LastHttpContent) && part.decoderResult().isSuccess();
    }

    /**
     * A part of a body that later parts of the same read may join: its taker gets it at the end of
     * the read, with them, rather than at once, one write for all of them (a write per one-byte chunk
     * was a {@code writev} per byte).
     */
    public static boolean joinsOthers(Object msg) {
        return msg instanceof HttpContent part && mergeable(part);
    }

    /** Waits ahead of the others, as the next to be taken. */
    public void addFirst(Object msg) {
        messages.addFirst(msg);
    }

    /** The oldest, or null when none waits. */
    public Object pollFirst() {
        Object first = messages.pollFirst();
        if (first == merged) {
            merged = null; // handed on: nothing more may be written into it
        }
        return first;
    }

    /** Drops (releases) the first message {@code from} accepts and every message after it. */
    public void releaseFrom(Predicate<Object> from) {
        boolean dropping = false;
        for (Iterator<Object> it = messages.iterator(); it.hasNext(); ) {
            Object msg = it.next();
            dropping |= from.test(msg);
            if (dropping) {
                it.remove();
                ReferenceCountUtil.release(msg);
                if (msg == merged) {
                    merged = null;
                }
            }
        }
    }

    /** How many messages wait (parts merged count as one). */
    public int size() {
        return messages.size();
    }

    public boolean isEmpty() {
        return messages.isEmpty();
    }

    /** Drops (releases) every message waiting. */
    public void releaseAll() {
        messages.forEach(ReferenceCountUtil::release);
        messages.clear();
        merged = null;
    }
}
