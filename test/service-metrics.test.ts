import { describe, expect, it } from "vitest";
import { ServiceMetrics } from "../src/service/metrics.js";

describe("ServiceMetrics", () => {
  it("renders counters and the duration histogram with labels", async () => {
    const m = new ServiceMetrics(() => [{ memoryMb: 64, running: 0, queued: 0, capacity: 2 }]);
    m.execution("acme", "run", "ok", 0.003);
    m.execution("acme", "run", "ok", 0.004);
    m.execution("globex", "event", "TIMEOUT", 5.5);
    m.rejected("acme", "QUOTA_EXCEEDED");

    const { contentType, body } = await m.render();
    expect(contentType).toMatch(/^text\/plain/);
    expect(body).toContain('tenantbox_executions_total{tenant="acme",kind="run",outcome="ok"} 2');
    expect(body).toContain('tenantbox_executions_total{tenant="globex",kind="event",outcome="TIMEOUT"} 1');
    expect(body).toContain('tenantbox_requests_rejected_total{tenant="acme",code="QUOTA_EXCEEDED"} 1');
    expect(body).toContain('tenantbox_execution_duration_seconds_bucket{le="0.0005",kind="run"} 0');
    expect(body).toContain('tenantbox_execution_duration_seconds_bucket{le="0.005",kind="run"} 2');
    expect(body).toContain('tenantbox_execution_duration_seconds_bucket{le="300",kind="event"} 1');
    expect(body).toContain('tenantbox_execution_duration_seconds_count{kind="run"} 2');
    // Default process metrics live on this registry too.
    expect(body).toContain("process_cpu_user_seconds_total");
  });

  it("reads one series per pool from the callback at scrape time", async () => {
    let pools = [
      { memoryMb: 32, running: 1, queued: 0, capacity: 4 },
      { memoryMb: 256, running: 0, queued: 0, capacity: 2 },
    ];
    const m = new ServiceMetrics(() => pools);
    let { body } = await m.render();
    expect(body).toMatch(/^tenantbox_pool_utilisation\{memory_mb="32"\} 0\.25$/m);
    expect(body).toMatch(/^tenantbox_pool_utilisation\{memory_mb="256"\} 0$/m);
    expect(body).toMatch(/^tenantbox_pool_running\{memory_mb="32"\} 1$/m);
    expect(body).toMatch(/^tenantbox_pool_capacity\{memory_mb="256"\} 2$/m);

    // A saturated pool shows as saturated, whatever the others do.
    pools = [
      { memoryMb: 32, running: 4, queued: 7, capacity: 4 },
      { memoryMb: 256, running: 0, queued: 0, capacity: 2 },
    ];
    ({ body } = await m.render());
    expect(body).toMatch(/^tenantbox_pool_utilisation\{memory_mb="32"\} 1$/m);
    expect(body).toMatch(/^tenantbox_queue_depth\{memory_mb="32"\} 7$/m);

    pools = [{ memoryMb: 32, running: 0, queued: 0, capacity: 0 }]; // a pool shutting down must not render NaN
    ({ body } = await m.render());
    expect(body).toMatch(/^tenantbox_pool_utilisation\{memory_mb="32"\} 0$/m);
    expect(body).not.toContain('memory_mb="256"');
  });

  it("keeps two instances apart", async () => {
    const a = new ServiceMetrics(() => [{ memoryMb: 64, running: 1, queued: 2, capacity: 2 }]);
    const b = new ServiceMetrics(() => [{ memoryMb: 64, running: 0, queued: 0, capacity: 8 }]);
    a.execution("acme", "execute", "ok", 0.01);
    const [ra, rb] = [await a.render(), await b.render()];
    expect(ra.body).toContain('tenantbox_executions_total{tenant="acme",kind="execute",outcome="ok"} 1');
    expect(rb.body).not.toContain('tenant="acme"');
    expect(ra.body).toMatch(/^tenantbox_queue_depth\{memory_mb="64"\} 2$/m);
    expect(rb.body).toMatch(/^tenantbox_queue_depth\{memory_mb="64"\} 0$/m);
    expect(a.registry).not.toBe(b.registry);
  });
});
