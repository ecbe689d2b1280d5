// A real OpenID provider (the certified `oidc-provider` package) for Skillbridge's OIDC
// sign-in tests. Started by the test with:
//   PORT         the port to listen on (127.0.0.1)
//   REDIRECT_URI the app's callback
//   ACCOUNTS     JSON: { "<login>": { "email": …, "employee_number": …, "name": … } }
// The development interactions sign in any listed login with any password; the test
// posts those forms like a browser. PKCE is required of the client.
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const accounts = JSON.parse(process.env.ACCOUNTS ?? '{}');

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: 'skillbridge',
    client_secret: 'skillbridge-test-secret',
    redirect_uris: [process.env.REDIRECT_URI],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  pkce: { required: () => true },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
    employee: ['employee_number'],
  },
  // Scope claims go into the ID token, which is all the app reads.
  conformIdTokenClaims: false,
  cookies: { keys: ['skillbridge-test-cookie-key'] },
  async findAccount(ctx, sub) {
    if (!(sub in accounts)) return undefined;
    return {
      accountId: sub,
      async claims() {
        return { sub, email_verified: true, ...accounts[sub] };
      },
    };
  },
});
// Plain HTTP on 127.0.0.1 is fine for a test.
provider.proxy = false;

provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${port}`);
});
