package dev.preflight.admin;

/**
 * The process's health as the admin port reports it: live as long as it runs; ready once the
 * listener accepts and until draining begins on shutdown (O2, O5).
 */
public final class Health {
    private volatile boolean ready;
    private volatile boolean draining;

    /** The proxy listener is bound and serving. */
    public void markReady() {
        ready = true;
    }

    /** Shutdown began: load balancers must stop sending new requests. */
    public void markDraining() {
        draining = true;
    }

    public boolean live() {
        return true;
    }

    public boolean ready() {
        return ready && !draining;
    }

    public boolean draining() {
        return draining;
    }
}
