import pLimit from "p-limit";
export const check = async () => {
  const limit = pLimit(2);
  let running = 0;
  let most = 0;
  const job = async (i) => {
    running++;
    most = Math.max(most, running);
    await new Promise((resolve) => setTimeout(resolve, 2));
    running--;
    return i * 10;
  };
  return [await Promise.all([1, 2, 3, 4, 5].map((i) => limit(() => job(i)))), most];
};
export const expected = () => [[10, 20, 30, 40, 50], 2];
