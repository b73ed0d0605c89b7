# Convert Kyverno's Go table tests into the JSON fixtures of test/fixtures/conditions/ (inputs and results unchanged).
#   python3 scripts/convert-kyverno-conditions.py evaluate pkg/engine/variables/evaluate_test.go > test/fixtures/conditions/kyverno-evaluate.json
#   python3 scripts/convert-kyverno-conditions.py handlers pkg/engine/variables/operator/{equal,notequal,in,duration}_test.go > test/fixtures/conditions/kyverno-handlers.json
#   python3 scripts/convert-kyverno-conditions.py functions pkg/engine/jmespath/arithmetic_test.go pkg/engine/jmespath/time_test.go > test/fixtures/conditions/kyverno-functions.json
import json, re, sys

class P:
    def __init__(self, s): self.s, self.i = s, 0
    def ws(self):
        while self.i < len(self.s) and self.s[self.i] in ' \t\n\r': self.i += 1
    def peek(self, t): self.ws(); return self.s.startswith(t, self.i)
    def eat(self, t):
        self.ws()
        if not self.s.startswith(t, self.i): raise ValueError(f'expected {t!r} at {self.s[self.i:self.i+60]!r}')
        self.i += len(t)
    def value(self):
        self.ws(); s = self.s
        if s[self.i] == '"':
            m = re.compile(r'"(?:[^"\\]|\\.)*"').match(s, self.i); self.i = m.end()
            return json.loads(m.group(0))
        if s[self.i] == '`':
            j = s.index('`', self.i + 1); v = s[self.i+1:j]; self.i = j + 1; return v
        for word, v in (('true', True), ('false', False), ('nil', None)):
            if s.startswith(word, self.i) and not s[self.i+len(word)].isalnum(): self.i += len(word); return v
        m = re.compile(r'(int64|int|float64|float32)\(').match(s, self.i)
        if m:
            self.i = m.end(); v = self.value(); self.eat(')'); return v
        m = re.compile(r'-?\d+(\.\d+)?([eE][-+]?\d+)?').match(s, self.i)
        if m:
            self.i = m.end(); t = m.group(0)
            return float(t) if ('.' in t or 'e' in t.lower()) else int(t)
        m = re.compile(r'(map\[string\](?:interface\{\}|string|int)|\[\](?:interface\{\}|string|int|map\[string\](?:interface\{\}|string)))\{').match(s, self.i)
        if m:
            self.i = m.end(); ismap = m.group(1).startswith('map')
            out = {} if ismap else []
            while not self.peek('}'):
                if ismap:
                    k = self.value(); self.eat(':'); out[k] = self.value()
                else:
                    if self.peek('{'):  # elided composite type
                        self.eat('{'); d = {}
                        while not self.peek('}'):
                            k = self.value(); self.eat(':'); d[k] = self.value()
                            if self.peek(','): self.eat(',')
                        self.eat('}'); out.append(d)
                    else:
                        out.append(self.value())
                if self.peek(','): self.eat(',')
            self.eat('}'); return out
        raise ValueError(f'cannot parse {s[self.i:self.i+60]!r}')


def convert_evaluate(path):
    """TestEvaluate: one kyverno.Condition{RawKey: ToJSON(k), Operator, RawValue: ToJSON(v)}, result per line."""
    cases = []
    section = None
    for line in open(path).read().splitlines():
        c = re.match(r'\s*// (.+)$', line)
        if c:
            section = c.group(1)
            continue
        if 'kyverno.Condition{RawKey' not in line:
            continue
        p = P(line)
        p.i = line.index('kyverno.ToJSON(') + len('kyverno.ToJSON(')
        key = p.value(); p.eat(')')
        op = re.compile(r'\s*,\s*Operator:\s*kyverno\.ConditionOperators\["(\w+)"\]').match(line, p.i)
        p.i = op.end()
        value = None
        if p.peek(', RawValue: kyverno.ToJSON('):
            p.eat(', RawValue: kyverno.ToJSON('); value = p.value(); p.eat(')')
        res = re.search(r'\}\s*,\s*(true|false)\s*\}', line[p.i:])
        cases.append({'section': section, 'key': key, 'operator': op.group(1), 'value': value, 'expected': res.group(1) == 'true'})
    return {'source': 'kyverno/kyverno pkg/engine/variables/evaluate_test.go TestEvaluate (Apache-2.0), converted by scripts/convert-kyverno-conditions.py', 'cases': cases}

def blocks(src):
    """The struct literals that have a `test:` or `jmesPath:` field, as {field: value}."""
    out = []
    for m in re.finditer(r'\b(?:test|jmesPath):\s*', src):
        start = src.rfind('{', 0, m.start())
        depth, i = 0, start
        while True:
            c = src[i]
            if c in '"`':
                q = c; i += 1
                while src[i] != q:
                    if q == '"' and src[i] == '\\': i += 1
                    i += 1
            elif c == '{': depth += 1
            elif c == '}':
                depth -= 1
                if depth == 0: break
            i += 1
        body = src[start+1:i]
        fields = {}
        p = P(body)
        while True:
            p.ws()
            fm = re.compile(r'(\w+):').match(body, p.i)
            if not fm: break
            p.i = fm.end()
            try:
                fields[fm.group(1)] = p.value()
                tail = re.compile(r'\s*([*/+-])\s*(-?\d+(?:\.\d+)?)').match(body, p.i)
                if tail:  # a Go constant expression such as 2.5 * 2.5
                    p.i = tail.end()
                    fields[fm.group(1)] = eval(f'{fields[fm.group(1)]!r} {tail.group(1)} float({tail.group(2)!r})')
            except Exception:
                fields = None
                break
            p.ws()
            if p.peek(','): p.eat(',')
        if fields and ('test' in fields or 'jmesPath' in fields):
            fields.setdefault('test', fields.get('jmesPath'))
            out.append(fields)
    return out

def convert_functions(paths):
    """{test, expectedResult | err} cases: the JMESPath expression and its result or failure."""
    cases = []
    for path in paths:
        for f in blocks(open(path).read()):
            case = {'expression': f['test']}
            if f.get('err'): case['error'] = True
            elif 'expectedResult' in f: case['expected'] = f['expectedResult']
            else: continue
            case['source'] = path.split('/')[-1]
            cases.append(case)
    return {'source': 'kyverno/kyverno pkg/engine/jmespath/*_test.go (Apache-2.0): the {test, expectedResult, err} table cases, converted by scripts/convert-kyverno-conditions.py', 'cases': cases}

HANDLERS = {'NewEqualHandler': 'Equals', 'NewNotEqualHandler': 'NotEquals', 'NewInHandler': 'In'}

def convert_handlers(paths):
    """TestXHandler_Evaluate* tables ({name, key, value, expected}) run through one handler; Go values that are not JSON are skipped."""
    cases, skipped = [], 0
    for path in paths:
        src = open(path).read()
        for fn in re.finditer(r'func (Test\w+_Evaluate\w*)\(t \*testing\.T\) \{', src):
            end = src.find('\nfunc ', fn.end())
            body = src[fn.end():end if end != -1 else len(src)]
            h = re.search(r'handler := (New\w+Handler)\(log, nil(?:, kyvernov1\.ConditionOperators\["(\w+)"\])?\)', body)
            if not h: continue
            operator = h.group(2) or HANDLERS[h.group(1)]
            for m in re.finditer(r'\{\s*name:\s*"((?:[^"\\]|\\.)*)",', body):
                start = m.start(); depth, i = 0, start
                while True:
                    c = body[i]
                    if c == '"':
                        i += 1
                        while body[i] != '"':
                            if body[i] == '\\': i += 1
                            i += 1
                    elif c == '{': depth += 1
                    elif c == '}':
                        depth -= 1
                        if depth == 0: break
                    i += 1
                p = P(body[start+1:i]); fields = {}
                try:
                    while True:
                        p.ws()
                        fm = re.compile(r'(\w+):').match(p.s, p.i)
                        if not fm: break
                        p.i = fm.end(); fields[fm.group(1)] = p.value(); p.ws()
                        if p.peek(','): p.eat(',')
                except Exception:
                    skipped += 1
                    continue
                p.ws()
                if p.i < len(p.s) or 'expected' not in fields:  # a Go value that is not JSON (time.Duration, struct{}{})
                    skipped += 1
                    continue
                cases.append({'test': fn.group(1), 'name': fields['name'], 'key': fields.get('key'), 'operator': operator, 'value': fields.get('value'), 'expected': fields['expected']})
    return {'source': 'kyverno/kyverno pkg/engine/variables/operator/*_test.go Test*Handler_Evaluate* tables (Apache-2.0), converted by scripts/convert-kyverno-conditions.py', 'skipped': skipped, 'cases': cases}

if sys.argv[1] == 'evaluate':
    result = convert_evaluate(sys.argv[2])
elif sys.argv[1] == 'handlers':
    result = convert_handlers(sys.argv[2:])
else:
    result = convert_functions(sys.argv[2:])
json.dump(result, sys.stdout, indent=1)
print()
