package awstest

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/fxamacker/cbor/v2"
)

// protocol is an AWS wire protocol.
type protocol int

const (
	protoQuery    protocol = iota // awsQuery: form POST, XML reply
	protoEC2Query                 // ec2Query: form POST, XML reply, <Response><Errors> errors
	protoJSON10                   // awsJson1.0
	protoJSON11                   // awsJson1.1
	protoRestJSON                 // restJson1
	protoRestXML                  // restXml (S3)
	protoCBOR                     // Smithy RPC v2 CBOR
)

func (p protocol) badRequestCode() string {
	switch p {
	case protoQuery:
		return "MalformedInput"
	case protoEC2Query:
		return "InvalidParameterValue"
	}
	return "SerializationException"
}

const requestID = "11111111-2222-3333-4444-555555555555"

// XML writes an awsQuery reply: <OpResponse><OpResult>result</OpResult><ResponseMetadata/></OpResponse>,
// or for ec2Query <OpResponse>result fields</OpResponse>. result is encoded with encoding/xml.
func (c *call) XML(result any) {
	c.w.Header().Set("Content-Type", "text/xml")
	c.w.WriteHeader(c.status)
	enc := xml.NewEncoder(c.w)
	resp := xml.StartElement{Name: xml.Name{Local: c.op + "Response"}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: c.svc.xmlns}}}
	switch c.svc.protocol {
	case protoEC2Query:
		if result == nil {
			result = struct{}{}
		}
		if err := enc.EncodeElement(result, resp); err != nil {
			panic(fmt.Sprintf("awstest: encode %s: %v", c.op, err))
		}
	default:
		must(enc.EncodeToken(resp))
		if result != nil {
			must(enc.EncodeElement(result, xml.StartElement{Name: xml.Name{Local: c.op + "Result"}}))
		}
		must(enc.EncodeElement(struct {
			RequestID string `xml:"RequestId"`
		}{requestID}, xml.StartElement{Name: xml.Name{Local: "ResponseMetadata"}}))
		must(enc.EncodeToken(resp.End()))
	}
	must(enc.Flush())
}

func must(err error) {
	if err != nil {
		panic(fmt.Sprintf("awstest: %v", err))
	}
}

// JSON writes a JSON reply (awsJson or restJson).
func (c *call) JSON(v any) { c.JSONStatus(c.status, v) }

// JSONStatus writes a JSON reply with an explicit status (e.g. 202 for restJson creates).
func (c *call) JSONStatus(status int, v any) {
	switch c.svc.protocol {
	case protoJSON10:
		c.w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	case protoJSON11:
		c.w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	default:
		c.w.Header().Set("Content-Type", "application/json")
	}
	c.status = status
	c.w.WriteHeader(status)
	if v == nil {
		v = struct{}{}
	}
	must(json.NewEncoder(c.w).Encode(v))
}

// CBOR writes a Smithy RPC v2 CBOR reply.
func (c *call) CBOR(v any) {
	c.w.Header().Set("Content-Type", "application/cbor")
	c.w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
	c.w.WriteHeader(c.status)
	if v == nil {
		v = map[string]any{}
	}
	b, err := cborEnc.Marshal(v)
	must(err)
	_, _ = c.w.Write(b)
}

// DecodeCBOR decodes the request body (Smithy RPC v2 CBOR).
func (c *call) DecodeCBOR(v any) error {
	if len(c.body) == 0 {
		return nil
	}
	return cbor.Unmarshal(c.body, v)
}

// DecodeJSON decodes the request body (awsJson / restJson).
func (c *call) DecodeJSON(v any) error {
	if len(c.body) == 0 {
		return nil
	}
	return json.Unmarshal(c.body, v)
}

var cborEnc = func() cbor.EncMode {
	m, err := cbor.EncOptions{Time: cbor.TimeUnixDynamic, TimeTag: cbor.EncTagRequired}.EncMode()
	if err != nil {
		panic(err)
	}
	return m
}()

// Raw writes raw bytes with a content type (restXml and odd replies).
func (c *call) Raw(status int, contentType string, b []byte) {
	if contentType != "" {
		c.w.Header().Set("Content-Type", contentType)
	}
	c.status = status
	c.w.WriteHeader(status)
	_, _ = c.w.Write(b)
}

// fail writes the protocol's error shape.
func (c *call) fail(status int, code, message string) {
	c.status = status
	h := c.w.Header()
	h.Set("X-Amzn-Requestid", requestID)
	switch c.svc.protocol {
	case protoQuery:
		h.Set("Content-Type", "text/xml")
		c.w.WriteHeader(status)
		kind := "Sender"
		if status >= 500 {
			kind = "Receiver"
		}
		fmt.Fprintf(c.w, `<ErrorResponse xmlns="%s"><Error><Type>%s</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>%s</RequestId></ErrorResponse>`,
			c.svc.xmlns, kind, xmlEscape(code), xmlEscape(message), requestID)
	case protoEC2Query:
		h.Set("Content-Type", "text/xml")
		c.w.WriteHeader(status)
		fmt.Fprintf(c.w, `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error></Errors><RequestID>%s</RequestID></Response>`,
			xmlEscape(code), xmlEscape(message), requestID)
	case protoJSON10, protoJSON11:
		if c.svc.protocol == protoJSON10 {
			h.Set("Content-Type", "application/x-amz-json-1.0")
		} else {
			h.Set("Content-Type", "application/x-amz-json-1.1")
		}
		h.Set("X-Amzn-Errortype", code)
		c.w.WriteHeader(status)
		_ = json.NewEncoder(c.w).Encode(map[string]string{"__type": code, "message": message})
	case protoRestJSON:
		h.Set("Content-Type", "application/json")
		h.Set("X-Amzn-Errortype", code)
		c.w.WriteHeader(status)
		_ = json.NewEncoder(c.w).Encode(map[string]string{"message": message})
	case protoRestXML:
		h.Set("Content-Type", "application/xml")
		c.w.WriteHeader(status)
		if c.r.Method != http.MethodHead {
			fmt.Fprintf(c.w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s</Message><RequestId>%s</RequestId></Error>`,
				xmlEscape(code), xmlEscape(message), requestID)
		}
	case protoCBOR:
		h.Set("Content-Type", "application/cbor")
		h.Set("Smithy-Protocol", "rpc-v2-cbor")
		c.w.WriteHeader(status)
		b, _ := cborEnc.Marshal(map[string]string{"__type": code, "message": message})
		_, _ = c.w.Write(b)
	}
}

// Fail writes the protocol's error shape (exported for service files' readability).
func (c *call) Fail(status int, code, message string) { c.fail(status, code, message) }

func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// restRoute is one REST operation: method, path pattern with {name} (one segment) or
// {name+} (the rest) parameters, and the operation name.
type restRoute struct {
	Method, Pattern, Op string
}

// restRouter builds a service route function from a table.
func restRouter(routes ...restRoute) func(method, path string) (string, map[string]string) {
	return func(method, path string) (string, map[string]string) {
		segs := splitPath(path)
		for _, rt := range routes {
			if rt.Method != method {
				continue
			}
			if params, ok := matchPattern(splitPath(rt.Pattern), segs); ok {
				return rt.Op, params
			}
		}
		return "", nil
	}
}

func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

func matchPattern(pat, segs []string) (map[string]string, bool) {
	params := map[string]string{}
	for i, ps := range pat {
		if strings.HasPrefix(ps, "{") && strings.HasSuffix(ps, "+}") {
			rest := strings.Join(segs[min(i, len(segs)):], "/")
			v, err := url.PathUnescape(rest)
			if err != nil || rest == "" {
				return nil, false
			}
			params[ps[1:len(ps)-2]] = v
			return params, true
		}
		if i >= len(segs) {
			return nil, false
		}
		if strings.HasPrefix(ps, "{") && strings.HasSuffix(ps, "}") {
			v, err := url.PathUnescape(segs[i])
			if err != nil {
				return nil, false
			}
			params[ps[1:len(ps)-1]] = v
			continue
		}
		if ps != segs[i] {
			return nil, false
		}
	}
	return params, len(pat) == len(segs)
}
