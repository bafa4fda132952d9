// Jest setup file (every project): Nest's own logger prints nothing during tests, so that a
// module's warnings (an outage the test provokes on purpose) do not read like failures in
// `npm test`'s output. A test that asserts what is logged spies on Logger.prototype or hands the
// app a logger of its own; both still see every line.
import { Logger } from '@nestjs/common';

Logger.overrideLogger(false);
