# Writes cases.json, the SMT oracle table (host/data/tests/smt_oracle.rs runs it through Kafka
# Connect 4.3.1 and through ours): python3 tests/smt-oracle/gen_cases.py
import json
import os
T = "org.apache.kafka.connect.transforms."
P = "org.apache.kafka.connect.transforms.predicates."
nested = {"type":"struct","name":"inner","optional":True,"fields":[
    {"field":"a","type":"int32","optional":False},{"field":"b","type":"string","optional":True}]}
S = {"type":"struct","name":"com.example.Row","optional":False,"fields":[
    {"field":"id","type":"int64","optional":False},
    {"field":"name","type":"string","optional":True},
    {"field":"price","type":"double","optional":True},
    {"field":"ts","type":"int64","optional":True},
    {"field":"flag","type":"boolean","optional":True,"default":True},
    {"field":"nested","type":"struct","name":"inner","optional":True,"fields":nested["fields"]}]}
row = {"id":7,"name":"coupang","price":12.5,"ts":1700000000123,"flag":None,"nested":{"a":1,"b":"x"}}
def env(schema, payload): return {"schema":schema,"payload":payload}
V = env(S, row)
K = env({"type":"int64","optional":False}, 7)
M = env(None, {"id":7,"name":"coupang","price":12.5,"ts":1700000000123,"nested":{"a":1,"b":"x"},"tags":["a","b"]})
def rec(key=K, value=V, topic="coupang", headers=None, ts=1700000000000):
    r = {"topic":topic,"partition":2,"offset":41,"timestamp":ts,"key":key,"value":value}
    r["headers"] = headers if headers is not None else [["source","pg"],["n","42"]]
    return r
cases = []
def case(name, cfg, r=None):
    props = {}
    ts = []
    for i, (cls, settings) in enumerate(cfg):
        a = f"t{i}"
        ts.append(a)
        props[f"transforms.{a}.type"] = cls if "." in cls else T + cls
        for k, v in settings.items(): props[f"transforms.{a}.{k}"] = v
    props["transforms"] = ",".join(ts)
    cases.append({"name":name,"config":props,"record":r or rec()})
def pcase(name, tcls, tset, pcls, pset, negate=None, r=None):
    props = {"transforms":"t0","transforms.t0.type":T+tcls,"transforms.t0.predicate":"p",
             "predicates":"p","predicates.p.type":P+pcls}
    for k,v in tset.items(): props["transforms.t0."+k]=v
    for k,v in pset.items(): props["predicates.p."+k]=v
    if negate is not None: props["transforms.t0.negate"]=negate
    cases.append({"name":name,"config":props,"record":r or rec()})

# InsertField
case("InsertField$Value struct: topic, partition, offset, timestamp, static", [("InsertField$Value", {"topic.field":"t","partition.field":"p","offset.field":"o!","timestamp.field":"when","static.field":"s","static.value":"v"})])
case("InsertField$Value map", [("InsertField$Value", {"topic.field":"t","partition.field":"p!","offset.field":"o","timestamp.field":"when","static.field":"s","static.value":"v"})], rec(value=M))
case("InsertField$Key needs a struct or map", [("InsertField$Key", {"topic.field":"t"})])
case("InsertField$Value tombstone passes", [("InsertField$Value", {"topic.field":"t"})], rec(value=None))
case("InsertField$Value replace.null.with.default=false keeps null", [("InsertField$Value", {"static.field":"s","static.value":"v","replace.null.with.default":"false"})])
# ReplaceField
case("ReplaceField$Value exclude and rename (struct)", [("ReplaceField$Value", {"exclude":"price","renames":"name:title,id:row_id"})])
case("ReplaceField$Value include (map)", [("ReplaceField$Value", {"include":"id,name","renames":"name:title"})], rec(value=M))
# MaskField
case("MaskField$Value struct defaults", [("MaskField$Value", {"fields":"name,price,flag,id"})])
case("MaskField$Value replacement (map)", [("MaskField$Value", {"fields":"name","replacement":"***"})], rec(value=M))
case("MaskField$Value numeric replacement", [("MaskField$Value", {"fields":"price,id","replacement":"0"})])
# ValueToKey
case("ValueToKey struct", [("ValueToKey", {"fields":"id,name"})])
case("ValueToKey map", [("ValueToKey", {"fields":"id,name"})], rec(value=M))
case("ValueToKey missing field", [("ValueToKey", {"fields":"nope"})])
# HoistField
case("HoistField$Value struct", [("HoistField$Value", {"field":"row"})])
case("HoistField$Key primitive", [("HoistField$Key", {"field":"id"})])
case("HoistField$Value schemaless", [("HoistField$Value", {"field":"row"})], rec(value=M))
# ExtractField
case("ExtractField$Value struct", [("ExtractField$Value", {"field":"name"})])
case("ExtractField$Value nested path v2", [("ExtractField$Value", {"field":"nested.b","field.syntax.version":"V2"})])
case("ExtractField$Value dotted name v1", [("ExtractField$Value", {"field":"nested.b"})])
case("ExtractField$Value map", [("ExtractField$Value", {"field":"tags"})], rec(value=M))
case("ExtractField$Value map nested v2", [("ExtractField$Value", {"field":"nested.a","field.syntax.version":"V2"})], rec(value=M))
# SetSchemaMetadata
case("SetSchemaMetadata$Value name and version", [("SetSchemaMetadata$Value", {"schema.name":"com.example.Renamed","schema.version":"3"})])
case("SetSchemaMetadata$Key primitive", [("SetSchemaMetadata$Key", {"schema.name":"k"})])
# TimestampRouter / RegexRouter
case("TimestampRouter default format", [("TimestampRouter", {})])
case("TimestampRouter custom", [("TimestampRouter", {"topic.format":"${topic}_at_${timestamp}","timestamp.format":"yyyy-MM-dd'T'HH"})])
case("RegexRouter coupang to shop", [("RegexRouter", {"regex":"coup(.*)","replacement":"shop-$1"})])
case("RegexRouter no full match keeps topic", [("RegexRouter", {"regex":"coup","replacement":"x"})])
# Flatten
case("Flatten$Value struct", [("Flatten$Value", {})])
case("Flatten$Value map delimiter", [("Flatten$Value", {"delimiter":"_"})], rec(value=M))
# Cast
case("Cast$Value fields", [("Cast$Value", {"spec":"id:string,price:int32,flag:int8,ts:float64"})])
case("Cast$Value map", [("Cast$Value", {"spec":"id:string,price:int64"})], rec(value=M))
case("Cast$Key whole", [("Cast$Key", {"spec":"string"})])
case("Cast$Value string to int fails", [("Cast$Value", {"spec":"name:int32"})])
# TimestampConverter
case("TimestampConverter$Value ts to string", [("TimestampConverter$Value", {"field":"ts","target.type":"string","format":"yyyy-MM-dd HH:mm:ss.SSS"})])
case("TimestampConverter$Value ts to Timestamp", [("TimestampConverter$Value", {"field":"ts","target.type":"Timestamp"})])
case("TimestampConverter$Value ts to string (map)", [("TimestampConverter$Value", {"field":"ts","target.type":"string","format":"yyyy-MM-dd"})], rec(value=M))
case("TimestampConverter$Value ts to unix seconds", [("TimestampConverter$Value", {"field":"ts","target.type":"unix","unix.precision":"seconds"})])
case("TimestampConverter$Value Time", [("TimestampConverter$Value", {"field":"ts","target.type":"Time"})])
# Filter, headers
case("Filter drops", [("Filter", {})])
case("DropHeaders", [("DropHeaders", {"headers":"n,absent"})])
case("InsertHeader literal", [("InsertHeader", {"header":"added","value.literal":"1234"})])
case("InsertHeader text", [("InsertHeader", {"header":"added","value.literal":"hello world"})])
case("HeaderFrom$Value copy", [("HeaderFrom$Value", {"fields":"name,nested","headers":"h_name,h_nested","operation":"copy"})])
case("HeaderFrom$Value move (map)", [("HeaderFrom$Value", {"fields":"name","headers":"h_name","operation":"move"})], rec(value=M))
case("HeaderFrom$Key move primitive fails", [("HeaderFrom$Key", {"fields":"id","headers":"h","operation":"move"})])
# header converters (header.converter): headers read with it, and written back with it
def hcase(name, cls, settings, cfg, headers):
    case(name, cfg, rec(headers=headers))
    cases[-1]["header_converter"] = {"class": cls, "settings": settings}
SC = "org.apache.kafka.connect.storage.StringConverter"
JC = "org.apache.kafka.connect.json.JsonConverter"
BC = "org.apache.kafka.connect.converters.ByteArrayConverter"
HC = "org.apache.kafka.connect.storage.SimpleHeaderConverter"
hcase("header.converter Simple writes text", HC, {}, [("InsertHeader", {"header":"added","value.literal":"[1,2]"})], [["n","42"],["t","2019-08-23"]])
hcase("header.converter String reads text", SC, {}, [("HeaderFrom$Value", {"fields":"name","headers":"h","operation":"copy"})], [["n","42"],["nul",None]])
hcase("header.converter String writes a literal", SC, {}, [("InsertHeader", {"header":"added","value.literal":"1234"})], [["s","x"]])
hcase("header.converter String writes a date and a list as Java's toString", SC, {}, [("InsertHeader", {"header":"d","value.literal":"2019-08-23"}),("InsertHeader", {"header":"l","value.literal":"[1,2]"})], [])
hcase("header.converter Json envelopes", JC, {}, [("HeaderFrom$Value", {"fields":"nested,price","headers":"hn,hp","operation":"copy"})], [["e",'{"schema":{"type":"int32","optional":false},"payload":7}']])
hcase("header.converter Json without schemas", JC, {"schemas.enable":"false"}, [("InsertHeader", {"header":"added","value.literal":"true"})], [["j",'{"a":[1,2]}'],["nul",None]])
hcase("header.converter Json refuses a header without an envelope", JC, {}, [("DropHeaders", {"headers":"x"})], [["j","7"]])
hcase("header.converter ByteArray reads bytes", BC, {}, [("DropHeaders", {"headers":"x"})], [["b","raw"]])
hcase("header.converter ByteArray refuses a string header", BC, {}, [("HeaderFrom$Value", {"fields":"name","headers":"h","operation":"copy"})], [["b","raw"]])
# chains
case("chain: ValueToKey then ExtractField$Key then RegexRouter", [("ValueToKey", {"fields":"id"}),("ExtractField$Key", {"field":"id"}),("RegexRouter", {"regex":".*","replacement":"all"})])
case("chain: Flatten then ReplaceField then Cast", [("Flatten$Value", {}),("ReplaceField$Value", {"exclude":"nested.b"}),("Cast$Value", {"spec":"nested.a:string"})])
# predicates
pcase("TopicNameMatches applies Filter", "Filter", {}, "TopicNameMatches", {"pattern":"coup.*"})
pcase("TopicNameMatches negated keeps", "Filter", {}, "TopicNameMatches", {"pattern":"coup.*"}, negate="true")
pcase("HasHeaderKey", "InsertField$Value", {"static.field":"s","static.value":"v"}, "HasHeaderKey", {"name":"source"})
pcase("HasHeaderKey absent", "InsertField$Value", {"static.field":"s","static.value":"v"}, "HasHeaderKey", {"name":"nope"})
pcase("RecordIsTombstone drops tombstones", "Filter", {}, "RecordIsTombstone", {}, r=rec(value=None))
pcase("RecordIsTombstone keeps values", "Filter", {}, "RecordIsTombstone", {})
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "cases.json"), "w") as f:
    json.dump(cases, f, indent=1)
print(len(cases))
