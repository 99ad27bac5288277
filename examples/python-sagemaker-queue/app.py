#!/usr/bin/env python3
"""A Keras image classifier on a SageMaker real-time endpoint behind one guarded API, written in Python.

`POST /predict` answers synchronously; `POST /jobs` + `GET /jobs/{id}` go through a bounded queue for
bursts and batch jobs. Both paths share the endpoint and its instance ceiling. The AwsSolutions and
Serverless cdk-nag packs and the InferenceGuard pack run on synth; any unacknowledged finding fails it.

    npx cdk synth --app "python3 app.py"

The same app in TypeScript is examples/sagemaker-queue/app.ts.
"""
import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigw
from cdk_nag import AwsSolutionsChecks, ServerlessChecks
from constructs import Construct

from keras_inference_guard import (
    InferenceGuardChecks,
    InferenceProfile,
    InferenceQueue,
    InferenceCompute,
    KerasInferenceService,
    LatencyPercentiles,
    ModelArtifact,
    ModelSignature,
    ProfileProvenance,
    QueueLimitOptions,
    TensorDType,
    WorkerBackend,
)


class SageMakerQueueStack(cdk.Stack):
    def __init__(self, scope: Construct, construct_id: str, **kwargs) -> None:
        super().__init__(
            scope, construct_id,
            description="Keras model behind a guarded API with a bounded async job queue (keras-inference-guard)",
            **kwargs,
        )
        # Measured with `kig profile` (or InferenceProfile.from_file("profile.json")).
        profile = InferenceProfile.of(
            model="efficientnet-b0",
            hardware="ml.g5.xlarge",
            latency_ms=LatencyPercentiles(p50=45, p90=70, p99=120),
            sustainable_concurrency=8,
            throughput_per_instance_rps=150,
            peak_host_memory_mib=6000,
            peak_gpu_memory_mib=5000,
            cold_start_seconds=150,
            max_request_bytes=2_500_000,
            provenance=ProfileProvenance(
                tool="kig profile",
                notes="Illustrative figures; measure your own model with `kig profile`.",
            ),
        )
        # The serving signature of model.export(): one uint8 image per instance, one instance per request.
        signature = ModelSignature.single_tensor(name="image", dtype=TensorDType.UINT8, shape=[224, 224, 3], max_batch_size=1)
        max_instances = 3
        model_uri = self.node.try_get_context("modelS3Uri") or "s3://replace-with-your-model-bucket/efficientnet/model.tar.gz"

        self.service = KerasInferenceService(
            self, "Classifier",
            profile=profile,
            compute=InferenceCompute.sage_maker_realtime(model=ModelArtifact.from_s3_uri(model_uri)),
            signature=signature,
            min_instances=1,
            max_instances=max_instances,
        )
        self.jobs = InferenceQueue(
            self, "Jobs",
            profile=profile,
            signature=signature,
            backend=WorkerBackend.from_backend(self.service.sync_backend),
            # Same ceiling as the endpoint, so the workers never plan for capacity the endpoint cannot have.
            limits=QueueLimitOptions(max_instances=max_instances, acceptable_wait_seconds=600),
            alarm_topic=self.service.alarm_topic,
        )
        # The same request model, validator and authorization as /predict.
        self.jobs.attach_to_api(
            self.service.api.api.root,
            request_model=self.service.api.request_model,
            request_validator=self.service.api.request_validator,
            authorization_type=apigw.AuthorizationType.IAM,
            api_key_required=True,
        )
        cdk.CfnOutput(self, "JobsUrl", value=f"{self.service.api.api.url}jobs",
                      description="POST TF Serving JSON here (SigV4 + x-api-key); poll the returned statusUrl")
        cdk.CfnOutput(self, "DepthBudget", value=str(self.jobs.limits.depth_budget),
                      description="Jobs waiting or in flight before POST /jobs answers 429")


def build_app(app: cdk.App) -> cdk.App:
    """Registers the three rule packs and adds the stack."""
    cdk.Validations.of(app).add_plugins(
        AwsSolutionsChecks(app),
        ServerlessChecks(app),
        InferenceGuardChecks(app, write_suppressions_to_cloud_formation=True),
    )
    SageMakerQueueStack(app, "KerasSageMakerQueue")
    return app


if __name__ == "__main__":
    build_app(cdk.App()).synth()
