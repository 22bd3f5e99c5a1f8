// Lists the account's owned phone numbers with the official Node client, unchanged.
// Input: TELNYX_BASE_URL, TELNYX_API_KEY, COUNTRIES (comma-separated). Output: one JSON
// line with what the client saw.
import Telnyx from 'telnyx';

const client = new Telnyx({ maxRetries: 0 });

// Two numbers per page, so auto-pagination walks every page.
const newest = [];
for await (const phoneNumber of client.phoneNumbers.list({ 'page[size]': 2 })) {
  newest.push(phoneNumber.id);
}

const countries = process.env.COUNTRIES.split(',');
const inCountries = [];
const query = { filter: { country_iso_alpha2: countries }, sort: 'phone_number', 'page[size]': 3 };
for await (const phoneNumber of client.phoneNumbers.list(query)) {
  inCountries.push(phoneNumber.phone_number);
}

const retrieved = await client.phoneNumbers.retrieve(newest[0]);

console.log(JSON.stringify({ newest, inCountries, retrieved: retrieved.data }));
