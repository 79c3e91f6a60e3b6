package awstest

import (
	"net/http"
	"strings"
	"testing"
)

// signedPost sends an awsQuery request as the SDK would, with its attempt header.
func signedPost(t *testing.T, s *Server, service, body string, attempt int) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.URL, strings.NewReader(body))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20260411/us-east-1/"+service+"/aws4_request, SignedHeaders=host, Signature=x")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Amz-Sdk-Request", "attempt="+string(rune('0'+attempt))+"; max=5")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestCallsLeaveOutRetriesOfAnsweredRequests(t *testing.T) {
	s := New()
	defer s.Close()
	s.AddStack(Stack{Name: "a", Status: "CREATE_COMPLETE"})
	body := "Action=DescribeStacks&StackName=a&Version=2010-05-15"
	if st := signedPost(t, s, "cloudformation", body, 1); st != 200 {
		t.Fatalf("status %d", st)
	}
	signedPost(t, s, "cloudformation", body, 2) // the SDK lost the answer and asked again
	if n := s.CallCount("cloudformation", "DescribeStacks"); n != 1 {
		t.Fatalf("a retry of an answered request counted: %d calls", n)
	}
	// A retry after a failure is a call of its own.
	s.InjectFault(Fault{Service: "cloudformation", Operation: "DescribeStacks", Status: 400, Code: "Throttling", Times: 1})
	signedPost(t, s, "cloudformation", body, 1)
	signedPost(t, s, "cloudformation", body, 2)
	if n := s.CallCount("cloudformation", "DescribeStacks"); n != 3 {
		t.Fatalf("throttled attempt and its retry: %d calls, want 3", n)
	}
	if got := s.Calls("cloudformation", ""); got[1].Status != 400 || got[2].Attempt != 2 {
		t.Fatalf("calls %+v", got)
	}
}
