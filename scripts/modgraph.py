# Prints the top-level module dependency graph of src/ and the edges that close a cycle.
# tests/architecture.rs enforces the same graph (with an allow-list of known cycles).
import re,glob,os,collections,sys
root=sys.argv[1] if len(sys.argv)>1 else 'src'
deps=collections.defaultdict(set)
for f in glob.glob(root+'/**/*.rs',recursive=True):
    rel=os.path.relpath(f,root)
    top=rel.split('/')[0].replace('.rs','')
    if top in ('lib','main'): continue
    text=open(f).read().split('#[cfg(test)]')[0]
    for m in re.finditer(r'crate::([a-z_0-9]+)',text):
        if m.group(1)!=top: deps[top].add(m.group(1))
    for m in re.finditer(r'\bsuper::super::([a-z_]+)',text): pass
for k in sorted(deps): print(k,'->',' '.join(sorted(deps[k])))
# cycles
def cyc():
    out=[]
    for a in deps:
        for b in deps[a]:
            # path b->...->a
            seen=set();st=[b]
            while st:
                x=st.pop()
                if x==a: out.append((a,b));break
                if x in seen: continue
                seen.add(x); st.extend(deps.get(x,()))
    return out
print('cycles via edges:',sorted(set(tuple(sorted(p)) for p in cyc())))
