import { describe, expect, it } from "vitest";
import { GroupCommit } from "../src/service/group-commit.js";

describe("GroupCommit", () => {
  it("commits what arrives in one turn together, and what arrives during a commit in the next", async () => {
    const commits: number[][] = [];
    let release: () => void = () => {};
    const group = new GroupCommit<number>(async (items) => {
      commits.push(items);
      if (commits.length === 1) await new Promise<void>((resolve) => (release = resolve));
    });
    const first = [1, 2, 3].map((n) => group.add(n));
    await new Promise((resolve) => setImmediate(resolve));
    expect(commits).toEqual([[1, 2, 3]]);
    let settled = false;
    void Promise.all(first).then(() => (settled = true));
    const second = [4, 5].map((n) => group.add(n));
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Nothing resolves before its commit has succeeded.
    expect(settled).toBe(false);
    expect(commits).toHaveLength(1);
    release();
    await Promise.all([...first, ...second]);
    expect(commits).toEqual([[1, 2, 3], [4, 5]]);
  });

  it("a failed commit rejects every item in it, and the next commit goes on", async () => {
    let fail = true;
    const committed: string[] = [];
    const group = new GroupCommit<string>((items) => {
      if (fail) throw new Error("disk full");
      committed.push(...items);
    });
    const failed = await Promise.allSettled([group.add("a"), group.add("b")]);
    expect(failed.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    fail = false;
    await group.add("c");
    expect(committed).toEqual(["c"]);
  });

  it("caps a commit's size", async () => {
    const sizes: number[] = [];
    const group = new GroupCommit<number>((items) => void sizes.push(items.length), 2);
    await Promise.all([1, 2, 3, 4, 5].map((n) => group.add(n)));
    expect(sizes).toEqual([2, 2, 1]);
  });
});
