-- AlterTable
ALTER TABLE "Host" ADD COLUMN     "agentInContainer" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "enrollExpiresAt" TIMESTAMP(3),
ADD COLUMN     "enrollTokenHash" TEXT,
ADD COLUMN     "protocolProblem" TEXT,
ADD COLUMN     "protocolVersion" INTEGER;

-- AlterTable
ALTER TABLE "Deployment" ADD COLUMN     "imageDigest" TEXT,
ADD COLUMN     "pushError" TEXT,
ADD COLUMN     "registryRepo" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "Host_enrollTokenHash_key" ON "Host"("enrollTokenHash");

