// Drives a running number-orders server with the official Node client, unchanged.
// Input: TELNYX_BASE_URL, TELNYX_API_KEY, PHONE_NUMBERS (comma-separated, one order
// each), ORDER_REFERENCE. Output: one JSON line with what the client saw.
import Telnyx from 'telnyx';

const client = new Telnyx({ maxRetries: 0 });
const reference = process.env.ORDER_REFERENCE;

const created = [];
for (const phoneNumber of process.env.PHONE_NUMBERS.split(',')) {
  const response = await client.numberOrders.create({
    phone_numbers: [{ phone_number: phoneNumber }],
    customer_reference: reference,
  });
  created.push(response.data);
}

// One order per page, so auto-pagination walks every page.
const listed = [];
const query = { filter: { customer_reference: reference }, 'page[size]': 1 };
for await (const order of client.numberOrders.list(query)) {
  listed.push(order.id);
}

const retrieved = await client.numberOrders.retrieve(created[0].id);

let empty = null;
try {
  await client.numberOrders.create();
} catch (error) {
  empty = { status: error.status, errors: error.error?.errors };
}

console.log(JSON.stringify({ created, listed, retrieved: retrieved.data, empty }));
