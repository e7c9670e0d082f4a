"""Randomised differential check of the renderer against the real crm (a developer tool).

    .venv/bin/python tests/render/fuzz_differential.py FIRST_SEED LAST_SEED

Each seed builds a configuration of random primitives (parameter sets with awkward values,
rules, operations), constraints (rules, sets with roles/actions/flags) and property sets; the
ones that pass the pacemaker-3.9 schema are shown by crm and by render_configuration, and any
difference is printed and the configuration saved as /tmp/render-fuzz-<seed>.xml. Found cases
belong in differential_inputs.py. Needs crm, cibadmin and xmllint.
"""
import difflib
import random
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
sys.path.insert(0, str(HERE))
from crm_oracle import crm_show, cib_document, CrmFailed
from render_cases import parse_xml
from crmshell.lang.render import render_configuration
from xml.sax.saxutils import quoteattr
VALS=['1','a b','x"y',"it's",'a=b','#c','','a:b','/p/q','1.5','-x','$H','{z}','a\\b','50%','true','INFINITY','-inf','Started','é']
NAMES=['state','fake','ip','name','op','meta','rule','a.b','x-y','passwd','target-role','role','timeout','interval']
def nv(owner,i,name=None,val=None):
    n=name or random.choice(NAMES); v=random.choice(VALS) if val is None else val
    return '<nvpair id="%s-nv%d" name=%s value=%s/>'%(owner,i,quoteattr(n),quoteattr(v))
def expr(eid):
    k=random.random()
    if k<0.3:
        return '<expression id="%s" attribute="%s" operation="%s"/>'%(eid,random.choice(['a','#uname','pingd','x y']),random.choice(['defined','not_defined']))
    if k<0.75:
        t=random.choice(['',' type="number"',' type="version"',' type="string"',' type="integer"'])
        vs=random.choice(['','',' value-source="param"',' value-source="meta"'])
        return '<expression id="%s" attribute="%s" operation="%s" value=%s%s%s/>'%(eid,random.choice(['a','#uname','pingd']),random.choice(['lt','gt','lte','gte','eq','ne']),quoteattr(random.choice(['1','n1','x y','2.0','a{b}'])),t,vs)
    op=random.choice(['lt','gt','in_range','date_spec'])
    if op=='lt': return '<date_expression id="%s" operation="lt" end="%s"/>'%(eid,random.choice(['2020-01-01','2020-01-01 10:00']))
    if op=='gt': return '<date_expression id="%s" operation="gt" start="2020-01-01"/>'%eid
    if op=='in_range':
        a=random.choice([' start="2020-01-01"',' end="2021-01-01"',' start="2020-01-01" end="2021-01-01"'])
        d=random.choice(['','<duration id="%s-d" years="1"/>'%eid,'<duration id="%s-d" months="2" hours="3"/>'%eid,'<duration id="%s-d" days="2"/>'%eid])
        return '<date_expression id="%s" operation="in_range"%s>%s</date_expression>'%(eid,a,d)
    f=random.choice(['hours="9-17"','weekdays="1-5" hours="9"','minutes="1"','years="2020" moon="1"'])
    return '<date_expression id="%s" operation="date_spec"><date_spec id="%s-s" %s/></date_expression>'%(eid,eid,f)
def rule(rid):
    sc=random.choice(['score="INFINITY"','score="-INFINITY"','score="100"','score-attribute="pingd"','score="+INFINITY"',''])
    bo=random.choice(['',' boolean-op="or"',' boolean-op="and"'])
    role=random.choice(['','',' role="Promoted"'])
    n=random.randint(1,3)
    return '<rule id="%s" %s%s%s>%s</rule>'%(rid,sc,bo,role,''.join(expr('%s-e%d'%(rid,i)) for i in range(n)))
def nvset(owner,tag,i):
    body=''
    if random.random()<0.2: body+=rule('%s-%s%d-r'%(owner,tag,i))
    body+=''.join(nv('%s-%s%d'%(owner,tag,i),j) for j in range(random.randint(0,3)))
    sc=' score="%d"'%random.randint(1,3) if random.random()<0.1 else ''
    return '<%s id="%s-%s%d"%s>%s</%s>'%(tag,owner,tag,i,sc,body,tag)
def primitive(pid):
    kids=[]
    for i in range(random.randint(0,3)):
        kids.append(nvset(pid,random.choice(['instance_attributes','meta_attributes','utilization']),i))
    if random.random()<0.6:
        ops=[]
        for i in range(random.randint(1,3)):
            name=random.choice(['start','stop','monitor','promote','notify'])
            attrs=' interval="%s"'%random.choice(['0','0s','10s','60m'])
            for a,vals in (('timeout',['20s','1m']),('on-fail',['restart','block','fence']),('role',['Promoted','Started','Master']),('enabled',['false','true']),('record-pending',['true']),('start-delay',['5s']),('description',['hi there','x'])):
                if random.random()<0.2: attrs+=' %s="%s"'%(a,random.choice(vals))
            inner=''
            if random.random()<0.2: inner+=nvset('%s-op%d'%(pid,i),'instance_attributes',0)
            if random.random()<0.1: inner+=nvset('%s-op%d'%(pid,i),'meta_attributes',1)
            ops.append('<op id="%s-op%d" name="%s"%s>%s</op>'%(pid,i,name,attrs,inner))
        oid=' id="%s-ops"'%pid if random.random()<0.2 else ''
        kids.append('<operations%s>%s</operations>'%(oid,''.join(ops)))
    random.shuffle(kids)
    cls=random.choice(['ocf:heartbeat:Dummy','ocf:pacemaker:Dummy','stonith:fence_xvm','lsb:cron','systemd:sshd','ocf:heartbeat:IPaddr2'])
    c=cls.split(':')
    a='class="%s" type="%s"'%(c[0],c[-1]) + (' provider="%s"'%c[1] if len(c)==3 else '')
    if random.random()<0.1: a+=' description=%s'%quoteattr(random.choice(VALS[:6]))
    return '<primitive id="%s" %s>%s</primitive>'%(pid,a,''.join(kids))
RES=['d1','d2','d3','d4','d5']
def rset(sid,kind):
    refs=random.sample(RES,random.randint(1,3))
    a=''
    if random.random()<0.3: a+=' sequential="%s"'%random.choice(['false','true','0','1'])
    if random.random()<0.2: a+=' require-all="%s"'%random.choice(['false','true'])
    if random.random()<0.3:
        a+= ' action="%s"'%random.choice(['start','promote']) if kind=='order' else ' role="%s"'%random.choice(['Promoted','Started','Unpromoted'])
    return '<resource_set id="%s"%s>%s</resource_set>'%(sid,a,''.join('<resource_ref id="%s"/>'%r for r in refs))
def constraint(cid):
    k=random.choice(['loc','col','ord','tkt'])
    sets=''.join(rset('%s-s%d'%(cid,i),{'ord':'order'}.get(k,'x')) for i in range(random.randint(1,3)))
    if k=='loc':
        if random.random()<0.5:
            return '<rsc_location id="%s" rsc="d1"%s>%s</rsc_location>'%(cid,random.choice(['',' role="Started"',' resource-discovery="never"']),''.join(rule('%s-r%d'%(cid,i)) for i in range(random.randint(1,2))))
        return '<rsc_location id="%s" score="%s" node="n1">%s</rsc_location>'%(cid,random.choice(['100','-INFINITY']),sets)
    if k=='col':
        if random.random()<0.4: return '<rsc_colocation id="%s" score="%s" rsc="d1" with-rsc="d2"%s/>'%(cid,random.choice(['INFINITY','-100']),random.choice(['',' rsc-role="Promoted"',' node-attribute="rack"']))
        return '<rsc_colocation id="%s" score="INFINITY">%s</rsc_colocation>'%(cid,sets)
    if k=='ord':
        kind=random.choice(['',' kind="Optional"',' kind="Serialize"',' kind="Mandatory"'])
        sym=random.choice(['','',' symmetrical="false"',' symmetrical="true"'])
        if random.random()<0.4: return '<rsc_order id="%s"%s%s first="d1" then="d2"%s/>'%(cid,kind,sym,random.choice(['',' first-action="promote"']))
        return '<rsc_order id="%s"%s%s>%s</rsc_order>'%(cid,kind,sym,sets)
    lp=random.choice(['',' loss-policy="stop"'])
    if random.random()<0.4: return '<rsc_ticket id="%s" ticket="tk"%s rsc="d1"/>'%(cid,lp)
    return '<rsc_ticket id="%s" ticket="tk"%s>%s</rsc_ticket>'%(cid,lp,sets)
def propset(sid):
    kids=[nv(sid,i) for i in range(random.randint(0,3))]
    if random.random()<0.4: kids.insert(random.randint(0,len(kids)),rule(sid+'-r'))
    return '<cluster_property_set id="%s">%s</cluster_property_set>'%(sid,''.join(kids))
def batch(seed, n=12):
    random.seed(seed)
    res=''.join('<primitive id="%s" class="ocf" provider="heartbeat" type="Dummy"/>'%r for r in RES)
    res+=''.join(primitive('p%d'%i) for i in range(n))
    cons=''.join(constraint('c%d'%i) for i in range(n))
    props=''.join(propset('ps%d'%i) for i in range(3))
    return '<crm_config>%s</crm_config><nodes><node id="n1" uname="n1"/></nodes><resources>%s</resources><constraints>%s</constraints>'%(props,res,cons)
def comment(text=None):
    return '<!--%s-->' % (text or random.choice(['note', '# hashed', ' spaced ', 'two words']))
def maybe_comment(xml):
    """Put a comment as first, last or inner child of the element sometimes."""
    k = random.random()
    if k < 0.1 and xml.endswith('/>'):
        tag = xml[1:xml.index(' ')]
        return xml[:-2] + '>' + comment() + '</%s>' % tag
    if k < 0.2 and not xml.endswith('/>'):
        i = xml.index('>') + 1
        return xml[:i] + comment() + xml[i:]
    if k < 0.25 and not xml.endswith('/>'):
        i = xml.rindex('</')
        return xml[:i] + comment() + xml[i:]
    return xml
def node(i):
    nid = random.choice(['n%d' % i, str(100 + i), 'x.%d' % i, 'y %d' % i])
    t = random.choice(['', '', ' type="member"', ' type="remote"', ' type="ping"'])
    kids = ''.join(nvset('n%d' % i, random.choice(['instance_attributes', 'utilization']), j)
                   for j in range(random.randint(0, 2)))
    return '<node id="%s" uname="n%d"%s>%s</node>' % (nid, i, t, kids)
def container(i, prims):
    kind = random.choice(['group', 'clone', 'master', 'clonegroup'])
    meta = ''.join(nvset('g%d' % i, random.choice(['meta_attributes', 'instance_attributes']), j)
                   for j in range(random.randint(0, 2)))
    if kind == 'group':
        return '<group id="g%d">%s%s</group>' % (i, meta, ''.join(prims))
    if kind == 'clonegroup':
        return '<clone id="g%d">%s<group id="gg%d">%s</group></clone>' % (i, meta, i, ''.join(prims))
    return '<%s id="g%d">%s%s</%s>' % (kind, i, prims[0], meta, kind)
def alert(i):
    kids = []
    if random.random() < 0.5:
        kids.append(nvset('al%d' % i, random.choice(['instance_attributes', 'meta_attributes']), 0))
    if random.random() < 0.5:
        sel = ''.join(random.sample(['<select_nodes/>', '<select_fencing/>', '<select_resources/>',
                                     '<select_attributes><attribute id="al%d-at" name="a"/></select_attributes>' % i],
                                    random.randint(1, 3)))
        kids.append('<select>%s</select>' % sel)
    for r in range(random.randint(0, 2)):
        rid = 'al%d-recipient-%d' % (i, r + 1) if random.random() < 0.9 else 'al%d-r%d' % (i, r)
        inner = nvset(rid, 'instance_attributes', 0) if random.random() < 0.3 else ''
        kids.append('<recipient id="%s" value=%s>%s</recipient>' % (rid, quoteattr(random.choice(['/tmp/x', 'a b', 'r'])), inner))
    if random.random() < 0.3:
        kids.append(nvset('al%d' % i, 'meta_attributes', 5))
    return '<alert id="al%d" path=%s>%s</alert>' % (i, quoteattr(random.choice(['/bin/true', '/a b/c'])), ''.join(kids))
XPATHS = ["/cib", "/cib/status", "//nodes/node", "//nodes/node[@uname='n1']",
          "//primitive[@id='d1']/meta_attributes/nvpair[@name='x']",
          "//rsc_location[@id='cli-prefer-d1' and @rsc='d2']", "//crm_config/cluster_property_set",
          "//primitive[@id='d1']/utilization", "//weird path"]
def acl(i):
    perms = []
    for j in range(random.randint(1, 4)):
        k = random.random()
        kind = random.choice(['read', 'write', 'deny'])
        if k < 0.5:
            body = 'xpath=%s' % quoteattr(random.choice(XPATHS))
        elif k < 0.7:
            body = 'reference="d%d"' % random.randint(1, 5)
        else:
            body = 'object-type="%s"%s' % (random.choice(['node', 'status']), random.choice(['', ' attribute="uname"']))
        desc = ' description=%s' % quoteattr(random.choice(['x', 'a b'])) if random.random() < 0.2 else ''
        perms.append('<acl_permission id="ar%d-%d" kind="%s" %s%s/>' % (i, j, kind, body, desc))
    return '<acl_role id="ar%d">%s</acl_role>' % (i, ''.join(perms))
def fencing(nodes):
    levels = []
    targets = random.sample(['n0', 'n1', 'n2', 'n7', ('rack', 'r1'), ('pat', 'n[0-9]')], random.randint(1, 3))
    k = 0
    for t in targets:
        idx = [1, 2] if random.random() < 0.3 else ([1] if random.random() < 0.8 else [2])
        for ix in idx:
            k += 1
            if isinstance(t, tuple) and t[0] == 'pat':
                tgt = 'target-pattern="%s"' % t[1]
            elif isinstance(t, tuple):
                tgt = 'target-attribute="%s" target-value="%s"' % t
            else:
                tgt = 'target="%s"' % t
            levels.append('<fencing-level id="fl%d" %s index="%d" devices="%s"/>' % (k, tgt, ix, random.choice(['f1', 'f1,f2'])))
    return '<fencing-topology>%s</fencing-topology>' % ''.join(levels)
def misc_batch(seed):
    random.seed(seed)
    nn = random.randint(1, 3)
    nodes = ''.join(maybe_comment(node(i)) for i in range(nn))
    res = ''.join('<primitive id="%s" class="ocf" provider="heartbeat" type="Dummy"/>' % r for r in RES)
    res += '<primitive id="f1" class="stonith" type="fence_xvm"/><primitive id="f2" class="stonith" type="fence_xvm"/>'
    for i in range(4):
        prims = [maybe_comment(primitive('q%d-%d' % (i, j))) for j in range(random.randint(1, 2))]
        res += maybe_comment(container(i, prims))
    res += '<template id="tp" class="ocf" provider="heartbeat" type="Dummy"/><primitive id="tu" template="tp"/>'
    cons = ''.join(maybe_comment(constraint('c%d' % i)) for i in range(4))
    extra = fencing(nn) if random.random() < 0.7 else ''
    extra += '<tags><tag id="t1"><obj_ref id="d1"/><obj_ref id="d2"/></tag></tags>'
    extra += '<acls>%s</acls>' % ''.join(acl(i) for i in range(2))
    extra += '<alerts>%s</alerts>' % ''.join(maybe_comment(alert(i)) for i in range(2))
    rd = '<rsc_defaults>%s</rsc_defaults>' % ''.join(
        '<meta_attributes id="rd%d">%s</meta_attributes>' % (i, ''.join(nv('rd%d' % i, j) for j in range(2))) for i in range(random.randint(1, 2)))
    return ('<crm_config>%s</crm_config>%s<nodes>%s</nodes><resources>%s</resources><constraints>%s</constraints>%s'
            % (propset('ps'), rd, nodes, res, cons, extra))
def valid(x):
    with tempfile.NamedTemporaryFile('w', suffix='.xml') as f:
        f.write(cib_document(x)); f.flush()
        r=subprocess.run(['xmllint','--noout','--relaxng','/usr/share/pacemaker/pacemaker-3.9.rng',f.name],capture_output=True,text=True,timeout=60)
    return r.returncode==0
MISC = '--misc' in sys.argv
if MISC:
    sys.argv.remove('--misc')


def main():
  bad=0; tried=0
  for seed in range(int(sys.argv[1]), int(sys.argv[2])):
      x=misc_batch(seed) if MISC else batch(seed)
      if not valid(x):
          continue
      tried+=1
      try: exp=crm_show(x)
      except CrmFailed as e: print('seed',seed,'crm failed',str(e)[-200:]); continue
      got=render_configuration(parse_xml('<configuration>%s</configuration>'%x))
      if got!=exp:
          bad+=1
          open('/tmp/render-fuzz-%d.xml'%seed,'w').write(x)
          print('seed',seed); print('\n'.join(list(difflib.unified_diff(exp.split('\n'),got.split('\n'),'crm','ours',lineterm='',n=1))[:40]))
  print('tried',tried,'bad',bad)


if __name__ == '__main__':
    main()

