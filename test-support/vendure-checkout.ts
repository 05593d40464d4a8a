/**
 * Talking to a real Vendure server the way a storefront and a back office do, for the
 * real-server tier: a guest checkout through the Shop API, and Admin API calls to check what
 * Keel did. Plain fetch, no Keel code: the tests must not check Keel with Keel.
 */
export interface PlacedOrder {
  id: string;
  code: string;
  state: string;
}

interface GraphqlAnswer {
  data?: Record<string, unknown> | null;
  errors?: { message: string }[];
}

/** A GraphQL endpoint with a session: the token from `vendure-auth-token` goes back as a bearer token. */
export class GraphqlSession {
  private token: string | undefined;

  constructor(private readonly url: string) {}

  async request<T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const response = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(this.token !== undefined ? { authorization: `Bearer ${this.token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const token = response.headers.get('vendure-auth-token');
    if (token !== null) this.token = token;
    const answer = (await response.json()) as GraphqlAnswer;
    if (answer.errors !== undefined) throw new Error(`${this.url}: ${answer.errors.map((error) => error.message).join('; ')}`);
    return answer.data as T;
  }

  /** The result of a mutation that answers a union: the member, or an Error naming the ErrorResult. */
  async mutate(name: string, query: string, variables: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const data = await this.request(query, variables);
    const result = data[name] as Record<string, unknown>;
    if (typeof result['errorCode'] === 'string') throw new Error(`${name}: ${String(result['errorCode'])}: ${String(result['message'])}`);
    return result;
  }
}

export interface GuestCheckout {
  email: string;
  lines: { variantId: string; quantity: number }[];
  country?: string;
  /** A customer who takes a while to pay: the wait between ArrangingPayment and the payment. */
  pauseBeforePaymentMs?: number;
}

/** A guest checkout through the Shop API: items, customer, address, shipping, ArrangingPayment, payment. */
export async function placeGuestOrder(shopApiUrl: string, checkout: GuestCheckout): Promise<PlacedOrder> {
  const shop = new GraphqlSession(shopApiUrl);
  const union = '__typename ... on ErrorResult { errorCode message }';
  for (const line of checkout.lines) {
    await shop.mutate('addItemToOrder', `mutation ($id: ID!, $q: Int!) { addItemToOrder(productVariantId: $id, quantity: $q) { ${union} } }`, { id: line.variantId, q: line.quantity });
  }
  const [firstName = 'Guest', lastName = 'Buyer'] = checkout.email.split('@')[0]?.split('.') ?? [];
  await shop.mutate('setCustomerForOrder', `mutation ($input: CreateCustomerInput!) { setCustomerForOrder(input: $input) { ${union} } }`, {
    input: { emailAddress: checkout.email, firstName, lastName },
  });
  await shop.mutate('setOrderShippingAddress', `mutation ($input: CreateAddressInput!) { setOrderShippingAddress(input: $input) { ${union} } }`, {
    input: { fullName: `${firstName} ${lastName}`, streetLine1: 'Musterstr. 1', city: 'Berlin', postalCode: '10115', countryCode: checkout.country ?? 'DE' },
  });
  const { eligibleShippingMethods } = await shop.request<{ eligibleShippingMethods: { id: string; code: string }[] }>('{ eligibleShippingMethods { id code } }');
  const standard = eligibleShippingMethods.find((method) => method.code === 'standard-shipping') ?? eligibleShippingMethods[0];
  if (standard === undefined) throw new Error('the shop offers no shipping method for this order');
  await shop.mutate('setOrderShippingMethod', `mutation ($id: [ID!]!) { setOrderShippingMethod(shippingMethodId: $id) { ${union} } }`, { id: [standard.id] });
  await shop.mutate('transitionOrderToState', `mutation { transitionOrderToState(state: "ArrangingPayment") { ${union} } }`);
  if (checkout.pauseBeforePaymentMs !== undefined) await new Promise((resolve) => setTimeout(resolve, checkout.pauseBeforePaymentMs));
  const order = await shop.mutate(
    'addPaymentToOrder',
    `mutation ($input: PaymentInput!) { addPaymentToOrder(input: $input) { ${union} ... on Order { id code state } } }`,
    { input: { method: 'standard-payment', metadata: {} } },
  );
  return { id: String(order['id']), code: String(order['code']), state: String(order['state']) };
}

/** The Admin API as the superadmin. */
export async function adminSession(adminApiUrl: string, username: string, password: string): Promise<GraphqlSession> {
  const admin = new GraphqlSession(adminApiUrl);
  await admin.mutate('login', 'mutation ($u: String!, $p: String!) { login(username: $u, password: $p) { __typename ... on ErrorResult { errorCode message } } }', { u: username, p: password });
  return admin;
}
