// Drives a running number-orders server with the official Node client, unchanged: it
// searches available numbers and blocks, orders the first number found, and searches
// again. Input: TELNYX_BASE_URL, TELNYX_API_KEY, LOCALITY. Output: one JSON line with
// what the client saw.
import Telnyx from 'telnyx';

const client = new Telnyx({ maxRetries: 0 });
const filter = { locality: process.env.LOCALITY, features: ['sms', 'voice'], limit: 5 };

const before = await client.availablePhoneNumbers.list({ filter });
const blocks = await client.availablePhoneNumberBlocks.list({
  filter: { locality: process.env.LOCALITY },
});
const chosen = before.data[0].phone_number;
const order = await client.numberOrders.create({ phone_numbers: [{ phone_number: chosen }] });
const after = await client.availablePhoneNumbers.list({ filter });

let bad = null;
try {
  await client.availablePhoneNumbers.list({ filter: { limit: 0 } });
} catch (error) {
  bad = { status: error.status, errors: error.error?.errors };
}

console.log(JSON.stringify({
  before: before.data,
  meta: before.meta,
  blocks: blocks.data,
  ordered: order.data,
  after: after.data.map((number) => number.phone_number),
  bad,
}));
