#!/usr/bin/env python3
"""Generate an accuracy corpus of FAKE credentials planted in many file kinds.

Every secret is generated here from the provider's documented format (prefix,
alphabet, length, checksum); none is a real key. Hard negatives sit beside them:
documented examples, placeholders, hashes, UUIDs, lockfile integrity strings and
public keys.

    python3 testdata/accuracy/gen_corpus.py OUT_DIR [--seed N] [--per-provider N]

writes OUT_DIR/corpus/... and OUT_DIR/manifest.json: a list of
{"file", "label": "positive"|"negative", "provider", "secret"}.
Score it with testdata/accuracy/score.py.
"""
import base64
import binascii
import json
import os
import random
import sys

B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
B64URL = B62 + "-_"
B64 = B62 + "+/"
HEX = "0123456789abcdef"
B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


class G:
    def __init__(self, seed):
        self.r = random.Random(seed)

    def s(self, alphabet, n):
        while True:
            v = "".join(self.r.choice(alphabet) for _ in range(n))
            # Avoid the accidental runs a placeholder filter rightly rejects.
            if not any(v[i] == v[i + 1] == v[i + 2] == v[i + 3] for i in range(len(v) - 3)):
                return v

    def digits(self, n):
        return str(self.r.randint(1, 9)) + self.s("0123456789", n - 1)


def b62(n, width):
    out = ""
    while n:
        out = B62[n % 62] + out
        n //= 62
    return out.rjust(width, "0")


def crc_token(g, prefix):
    body = g.s(B62, 30)
    return prefix + body + b62(binascii.crc32(body.encode()) & 0xFFFFFFFF, 6)


def b64url(b):
    return base64.urlsafe_b64encode(b).decode().rstrip("=")


def jwt(g, payload):
    h = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    p = b64url(json.dumps(payload).encode())
    return f"{h}.{p}.{g.s(B64URL, 43)}"


def pem(g, label, nbytes):
    body = base64.b64encode(bytes(g.r.randrange(256) for _ in range(nbytes))).decode()
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return f"-----BEGIN {label}-----\n" + "\n".join(lines) + f"\n-----END {label}-----"


def providers(g):
    """(provider, variable name, secret) triples: one fresh secret each call."""
    P = []
    add = lambda prov, var, sec: P.append((prov, var, sec))
    add("openai", "OPENAI_API_KEY", "sk-proj-" + g.s(B64URL, 74) + "T3BlbkFJ" + g.s(B64URL, 74))
    add("openai", "OPENAI_API_KEY", "sk-svcacct-" + g.s(B64URL, 74) + "T3BlbkFJ" + g.s(B64URL, 74))
    add("openai", "OPENAI_ADMIN_KEY", "sk-admin-" + g.s(B64URL, 74) + "T3BlbkFJ" + g.s(B64URL, 74))
    add("openai", "OPENAI_API_KEY", "sk-" + g.s(B62, 20) + "T3BlbkFJ" + g.s(B62, 20))
    add("anthropic", "ANTHROPIC_API_KEY", "sk-ant-api03-" + g.s(B64URL, 93) + "AA")
    add("anthropic", "ANTHROPIC_ADMIN_KEY", "sk-ant-admin01-" + g.s(B64URL, 93) + "AA")
    add("google", "GOOGLE_API_KEY", "AIza" + g.s(B64URL, 35))
    add("aws", "AWS_ACCESS_KEY_ID", "AKIA" + g.s(B32, 16))
    add("aws", "aws_secret_access_key", g.s(B64, 40))
    add("azure", "AZURE_STORAGE_CONNECTION_STRING",
        f"DefaultEndpointsProtocol=https;AccountName=st{g.s('abcdefghijklmnopqrstuvwxyz0123456789', 10)};AccountKey={g.s(B64, 86)}==;EndpointSuffix=core.windows.net")
    add("stripe", "STRIPE_SECRET_KEY", "sk_live_" + g.s(B62, 99))
    add("stripe", "STRIPE_SECRET_KEY", "sk_live_" + g.s(B62, 24))
    add("stripe", "STRIPE_RESTRICTED_KEY", "rk_live_" + g.s(B62, 99))
    add("stripe", "STRIPE_WEBHOOK_SECRET", "whsec_" + g.s(B62, 32))
    for p in ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"):
        add("github", "GITHUB_TOKEN", crc_token(g, p))
    add("github", "GITHUB_TOKEN", "github_pat_" + g.s(B62, 22) + "_" + g.s(B62, 59))
    add("gitlab", "GITLAB_TOKEN", "glpat-" + g.s(B64URL, 20))
    add("slack", "SLACK_BOT_TOKEN", f"xoxb-{g.digits(12)}-{g.digits(13)}-{g.s(B62, 24)}")
    add("slack", "SLACK_USER_TOKEN", f"xoxp-{g.digits(12)}-{g.digits(12)}-{g.digits(13)}-{g.s(HEX, 32)}")
    add("slack", "SLACK_WEBHOOK_URL",
        f"https://hooks.slack.com/services/T{g.s(B32[:26] + '0123456789', 10)}/B{g.s(B32[:26] + '0123456789', 10)}/{g.s(B62, 24)}")
    add("twilio", "TWILIO_API_KEY", "SK" + g.s(HEX, 32))
    add("twilio", "TWILIO_AUTH_TOKEN", g.s(HEX, 32))
    add("sendgrid", "SENDGRID_API_KEY", "SG." + g.s(B64URL, 22) + "." + g.s(B64URL, 43))
    add("mailgun", "MAILGUN_API_KEY", "key-" + g.s(HEX, 32))
    uid = base64.b64encode(g.digits(18).encode()).decode().rstrip("=")
    add("discord", "DISCORD_BOT_TOKEN", f"{uid}.{g.s(B64URL, 6)}.{g.s(B64URL, 38)}")
    add("discord", "DISCORD_WEBHOOK_URL", f"https://discord.com/api/webhooks/{g.digits(19)}/{g.s(B64URL, 68)}")
    add("telegram", "TELEGRAM_BOT_TOKEN", f"{g.digits(10)}:AA{g.s(B64URL, 33)}")
    add("npm", "NPM_TOKEN", crc_token(g, "npm_"))
    add("pypi", "PYPI_TOKEN", "pypi-AgEIcHlwaS5vcmc" + g.s(B64URL, 70))
    add("huggingface", "HF_TOKEN", "hf_" + g.s("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 34))
    add("replicate", "REPLICATE_API_TOKEN", "r8_" + g.s(B62, 37))
    add("groq", "GROQ_API_KEY", "gsk_" + g.s(B62, 52))
    add("cloudflare", "CLOUDFLARE_API_TOKEN", g.s(B64URL, 40))
    add("digitalocean", "DIGITALOCEAN_TOKEN", "dop_v1_" + g.s(HEX, 64))
    add("shopify", "SHOPIFY_ACCESS_TOKEN", "shpat_" + g.s(HEX, 32))
    add("database", "DATABASE_URL", f"postgres://app_user:{g.s(B62, 18)}@db.internal.example.net:5432/app")
    add("database", "MONGODB_URI", f"mongodb+srv://admin:{g.s(B62, 16)}@cluster0.ab1cd.mongodb.net/prod")
    add("database", "REDIS_URL", f"redis://default:{g.s(B62, 20)}@redis.example.net:6379/0")
    add("database", "MYSQL_URL", f"mysql://root:{g.s(B62, 14)}@10.0.3.7:3306/shop")
    add("jwt", "SESSION_TOKEN", jwt(g, {"sub": g.digits(8), "name": "Ada", "iat": 1700000000}))
    add("supabase", "SUPABASE_SERVICE_ROLE_KEY", jwt(g, {"iss": "supabase", "ref": g.s("abcdefghijklmnopqrstuvwxyz", 20), "role": "service_role", "iat": 1700000000, "exp": 2000000000}))
    add("generic", "DB_PASSWORD", g.s(B62 + "!#%^&*", 18))
    add("generic", "api_secret", g.s(B62, 32))
    add("generic", "apiKey", g.s(B62, 28))
    return P


PEMS = [("RSA PRIVATE KEY", 1190), ("EC PRIVATE KEY", 121), ("PRIVATE KEY", 1218), ("OPENSSH PRIVATE KEY", 400)]


def render(kind, var, secret):
    """One file of `kind` assigning `secret` to `var`."""
    low = var.lower()
    camel = low.split("_")[0] + "".join(w.title() for w in low.split("_")[1:])
    if kind == ".env":
        return f"# config\nNODE_ENV=production\n{var}={secret}\nPORT=8080\n"
    if kind == "yaml":
        return f"service:\n  name: api\n  {low}: \"{secret}\"\n  replicas: 2\n"
    if kind == "json":
        return json.dumps({"name": "app", "env": {var: secret}, "debug": False}, indent=2) + "\n"
    if kind == "toml":
        return f"[server]\nport = 8080\n{low} = \"{secret}\"\n"
    if kind == "properties":
        return f"app.name=demo\n{low.replace('_', '.')}={secret}\n"
    if kind == "py":
        return f"import os\n\n{var} = \"{secret}\"\n\ndef client():\n    return Client(key={var})\n"
    if kind == "js":
        return f"import x from 'x';\nconst {camel} = '{secret}';\nexport default {{ {camel} }};\n"
    if kind == "ts":
        return f"export const config = {{\n  {camel}: \"{secret}\",\n  region: \"us-east-1\",\n}};\n"
    if kind == "go":
        return f"package main\n\nconst {camel} = \"{secret}\"\n\nfunc main() {{}}\n"
    if kind == "java":
        return f"public class Config {{\n    private static final String {var} = \"{secret}\";\n}}\n"
    if kind == "rb":
        return f"module App\n  {var} = '{secret}'.freeze\nend\n"
    if kind == "php":
        return f"<?php\n$config['{low}'] = '{secret}';\n"
    if kind == "kt":
        return f"object Keys {{\n    const val {var} = \"{secret}\"\n}}\n"
    if kind == "swift":
        return f"struct Keys {{\n    static let {camel} = \"{secret}\"\n}}\n"
    if kind == "cs":
        return f"public static class Keys {{\n    public const string {var} = \"{secret}\";\n}}\n"
    if kind == "sh":
        return f"#!/bin/sh\nexport {var}=\"{secret}\"\nexec ./server\n"
    if kind == "Dockerfile":
        return f"FROM node:20\nENV {var}={secret}\nCMD [\"node\", \"index.js\"]\n"
    if kind == "xml":
        return f"<resources>\n    <string name=\"{low}\">{secret}</string>\n</resources>\n"
    raise ValueError(kind)


EXT = {".env": ".env", "yaml": "config.yaml", "json": "settings.json", "toml": "config.toml",
       "properties": "application.properties", "py": "settings.py", "js": "config.js",
       "ts": "config.ts", "go": "main.go", "java": "Config.java", "rb": "keys.rb", "php": "config.php",
       "kt": "Keys.kt", "swift": "Keys.swift", "cs": "Keys.cs", "sh": "run.sh",
       "Dockerfile": "Dockerfile", "xml": "strings.xml"}


def negatives(g):
    """(kind, name, text) hard negatives."""
    N = []
    uuid = lambda: f"{g.s(HEX, 8)}-{g.s(HEX, 4)}-4{g.s(HEX, 3)}-a{g.s(HEX, 3)}-{g.s(HEX, 12)}"
    N.append(("aws-docs", ".env", "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\nAWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"))
    N.append(("placeholder", ".env", "OPENAI_API_KEY=sk-proj-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\nSTRIPE_SECRET_KEY=<YOUR_STRIPE_KEY>\n"))
    N.append(("placeholder", "config.js", "const apiKey = process.env.OPENAI_API_KEY;\nconst secret = '${API_SECRET}';\nconst password = 'your-password-here';\n"))
    N.append(("placeholder", "config.yaml", "db:\n  password: ${DB_PASSWORD}\n  api_key: \"{{ .Values.apiKey }}\"\n  token: changeme\n"))
    N.append(("hash", "checksums.txt", f"sha256: {g.s(HEX, 64)}\nsha1 {g.s(HEX, 40)}\nmd5={g.s(HEX, 32)}\ncommit: {g.s(HEX, 40)}\n"))
    N.append(("uuid", "ids.json", json.dumps({"id": uuid(), "tenant_id": uuid(), "request_id": uuid()}) + "\n"))
    N.append(("lockfile", "package-lock.json", json.dumps({"packages": {"node_modules/x": {"version": "1.0.0", "resolved": "https://registry.npmjs.org/x/-/x-1.0.0.tgz", "integrity": "sha512-" + g.s(B64, 86) + "=="}}}, indent=2) + "\n"))
    N.append(("lockfile", "yarn.lock", f"x@^1.0.0:\n  version \"1.0.0\"\n  integrity sha512-{g.s(B64, 86)}==\n"))
    N.append(("lockfile", "Cargo.lock", f"[[package]]\nname = \"x\"\nversion = \"1.0.0\"\nchecksum = \"{g.s(HEX, 64)}\"\n"))
    N.append(("public-key", "id_rsa.pub", "ssh-rsa AAAAB3NzaC1yc2E" + g.s(B64, 360) + " dev@laptop\n"))
    N.append(("public-key", "pub.pem", pem(g, "PUBLIC KEY", 294) + "\n"))
    N.append(("public-key", "cert.pem", pem(g, "CERTIFICATE", 900) + "\n"))
    N.append(("public-key", "stripe.js", f"const stripe = Stripe('pk_live_{g.s(B62, 99)}');\n"))
    N.append(("code", "auth.js", "function login(user, password) {\n  password = password;\n  const token = getToken();\n  return check(password);\n}\n"))
    N.append(("code", "consts.h", "#define PASSWORD 0x0002000\n#define SECRET_LEN 32\n"))
    N.append(("code", "settings.py", "SECRET_KEY = os.environ['SECRET_KEY']\nPASSWORD_HASHERS = ['django.contrib.auth.hashers.PBKDF2PasswordHasher']\n"))
    N.append(("jwt-docs", "README.md", "Example: `eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c`\n"))
    N.append(("github-bad-crc", ".env", "GITHUB_TOKEN=ghp_" + g.s(B62, 36) + "\n"))
    N.append(("supabase-anon", ".env", "SUPABASE_ANON_KEY=" + jwt(g, {"iss": "supabase", "ref": "abcdefghijklmnopqrst", "role": "anon", "iat": 1700000000}) + "\n"))
    N.append(("base64-image", "logo.css", ".logo{background:url(data:image/png;base64," + g.s(B64, 200) + ")}\n"))
    return N


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    out = sys.argv[1]
    seed = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 1
    per = int(sys.argv[sys.argv.index("--per-provider") + 1]) if "--per-provider" in sys.argv else 3
    g = G(seed)
    manifest = []
    kinds = list(EXT)
    n = 0
    for rep in range(per):
        for prov, var, secret in providers(g):
            kind = kinds[(n * 7 + rep) % len(kinds)]
            rel = f"corpus/pos/{n:04d}-{prov}/{EXT[kind]}"
            path = os.path.join(out, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(render(kind, var, secret))
            manifest.append({"file": rel, "label": "positive", "provider": prov, "secret": secret})
            n += 1
        for label, bytes_ in PEMS:
            rel = f"corpus/pos/{n:04d}-privatekey/deploy_key"
            path = os.path.join(out, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            body = pem(g, label, bytes_)
            with open(path, "w") as f:
                f.write(body + "\n")
            manifest.append({"file": rel, "label": "positive", "provider": "private-key", "secret": body.split("\n")[1]})
            n += 1
        for label, name, text in negatives(g):
            rel = f"corpus/neg/{n:04d}-{label}/{name}"
            path = os.path.join(out, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(text)
            manifest.append({"file": rel, "label": "negative", "provider": label, "secret": ""})
            n += 1
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print(f"{n} files written to {out}")


if __name__ == "__main__":
    main()
