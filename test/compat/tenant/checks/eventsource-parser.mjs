// Server-sent events, fed by hand and through the web streams (EventSourceParserStream is a TransformStream).
import { createParser } from "eventsource-parser";
import { EventSourceParserStream } from "eventsource-parser/stream";
export const check = async () => {
  const fed = [];
  const parser = createParser({ onEvent: (event) => fed.push([event.event ?? null, event.data]) });
  parser.feed("event: a\ndata: 1\n\ndata: 2\n\n");
  const source = new ReadableStream({
    start(controller) {
      controller.enqueue("id: 7\ndata: x\n");
      controller.enqueue("\ndata: y\n\n");
      controller.close();
    },
  });
  const streamed = [];
  for await (const event of source.pipeThrough(new EventSourceParserStream())) streamed.push([event.id ?? null, event.data]);
  return [fed, streamed];
};
export const expected = () => [[["a", "1"], [null, "2"]], [["7", "x"], [null, "y"]]];
